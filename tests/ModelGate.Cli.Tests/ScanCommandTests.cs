using System.Text;
using System.Text.Json.Nodes;
using ModelGate.Core;
using ModelGate.Core.Detection;
using ModelGate.Core.Tests.Reporting;
using ModelGate.Tests.Shared;

namespace ModelGate.Cli.Tests;

/// <summary>`modelgate scan` and `modelgate calibrate` end to end through CliApp.Run: every exit code, reports written
/// before a failing exit, the JSON report against its published schema, and GitHub publishing that never changes the code.</summary>
[NonParallelizable] // sets process environment variables
public class ScanCommandTests
{
    private string _dir = "";
    private static string? _stories;

    [OneTimeSetUp]
    public void ConvertStories()
    {
        var src = SharedFixtures.SharedDir is { } s && File.Exists(Path.Combine(s, "models", "stories260K", "stories260K.bin")) ? Path.Combine(s, "models", "stories260K") : null;
        if (src is null) return;
        _stories = Path.Combine(SharedFixtures.TempDir("cli-scan-model"), "stories");
        var (exit, _, error) = CliHarness.Run("convert", Path.Combine(src, "stories260K.bin"), "--tokenizer", Path.Combine(src, "tok512.bin"), "--out", _stories);
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), error);
    }

    [OneTimeTearDown]
    public void RemoveStories()
    {
        if (_stories is not null) Directory.Delete(Path.GetDirectoryName(_stories)!, true);
    }

    private static string Stories => _stories ?? SharedFixtures.RequireShared("models", "stories260K", "stories260K.bin");

    [SetUp]
    public void SetUp() => _dir = SharedFixtures.TempDir("cli-scan");

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private static string Verdict(string jsonPath) => JsonNode.Parse(File.ReadAllText(jsonPath))!["verdict"]!.GetValue<string>();

    private static void AssertSchemaValid(string jsonPath)
    {
        var schema = SchemaValidator.Load(SchemaValidator.SchemaPath("scan-result.schema.json"));
        Assert.That(SchemaValidator.Errors(schema, File.ReadAllText(jsonPath)), Is.Empty);
    }

    private string PickleDir()
    {
        var dir = Path.Combine(_dir, "pickled");
        Directory.CreateDirectory(dir);
        // PROTO 2; GLOBAL posix.system; BINUNICODE "touch …"; TUPLE1; REDUCE; STOP — built by hand, never unpickled.
        var cmd = Encoding.UTF8.GetBytes($"touch {Path.Combine(dir, "PWNED")}");
        byte[] bytes = [0x80, 0x02, (byte)'c', .. "posix\nsystem\n"u8, (byte)'X', .. BitConverter.GetBytes(cmd.Length), .. cmd, 0x85, (byte)'R', (byte)'.'];
        File.WriteAllBytes(Path.Combine(dir, "model.ckpt"), bytes);
        return dir;
    }

    [Test]
    public void Usage_errors_exit_4()
    {
        Assert.That(CliHarness.Run("scan").Exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(CliHarness.Run("scan", _dir, "--no-such-flag").Exit, Is.EqualTo(ExitCodes.Usage));
        var (exit, _, error) = CliHarness.Run("scan", _dir, "--budget-seconds", "0");
        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.Contain("--budget-seconds"));
        Assert.That(CliHarness.Run("calibrate", _dir).Exit, Is.EqualTo(ExitCodes.Usage), "--out is required");
        if (!TorchSharp.torch.cuda.is_available())
        {
            (exit, _, error) = CliHarness.Run("scan", _dir, "--device", "cuda");
            Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
            Assert.That(error, Does.Contain("CUDA is not available"));
        }
    }

    [Test]
    public void A_missing_folder_exits_3_and_still_writes_the_report()
    {
        var json = Path.Combine(_dir, "r.json");
        var (exit, _, error) = CliHarness.Run("scan", Path.Combine(_dir, "nope"), "--json", json);
        Assert.That(exit, Is.EqualTo(ExitCodes.NothingScannable));
        Assert.That(error, Does.Contain("nope"));
        Assert.That(Verdict(json), Is.EqualTo("error"));
        AssertSchemaValid(json);
    }

    [Test]
    public void A_malicious_pickle_exits_1_with_every_report_written_first()
    {
        var dir = PickleDir();
        var (json, sarif, junit, md) = (Path.Combine(_dir, "r.json"), Path.Combine(_dir, "r.sarif"), Path.Combine(_dir, "r.xml"), Path.Combine(_dir, "r.md"));
        var (exit, output, error) = CliHarness.Run("scan", dir, "--json", json, "--sarif", sarif, "--junit", junit, "--markdown", md, "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.GateFailed), error);
        Assert.That(output, Does.Contain("FAIL").And.Contain("MG1005"));
        Assert.That(Verdict(json), Is.EqualTo("fail"));
        AssertSchemaValid(json);
        Assert.That(File.ReadAllText(sarif), Does.Contain("MG1005"));
        Assert.That(File.ReadAllText(junit), Does.Contain("format-safety"));
        Assert.That(File.ReadAllText(md), Does.Contain("posix.system"));
        Assert.That(File.Exists(Path.Combine(dir, "PWNED")), Is.False);
    }

    [Test]
    public void An_unloadable_model_exits_2_with_an_error_report()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"model_type":"bert"}""");
        var json = Path.Combine(_dir, "out", "r.json");
        var (exit, _, error) = CliHarness.Run("scan", _dir, "--json", json, "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Error));
        Assert.That(error, Does.Contain("bert"));
        Assert.That(Verdict(json), Is.EqualTo("error"));
        AssertSchemaValid(json);

        var cal = Path.Combine(_dir, "cal.json");
        File.WriteAllText(cal, "{ nope");
        (exit, _, error) = CliHarness.Run("scan", _dir, "--calibration", cal, "--json", json);
        Assert.That(exit, Is.EqualTo(ExitCodes.Error));
        Assert.That(error, Does.Contain(cal));
        Assert.That(Verdict(json), Is.EqualTo("error"), "a scan that cannot start still writes its report");
        Assert.That(File.ReadAllText(json), Does.Contain("calibration file is unreadable"));
        AssertSchemaValid(json);

        var policy = Path.Combine(_dir, "bad-policy.json");
        File.WriteAllText(policy, """{ "detectorz": {} }""");
        (exit, _, error) = CliHarness.Run("scan", _dir, "--policy", policy);
        Assert.That(exit, Is.EqualTo(ExitCodes.Error));
        Assert.That(error, Does.Contain("detectorz"));

        (exit, _, error) = CliHarness.Run("scan", _dir, "--reference", Path.Combine(_dir, "no-base"));
        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.Contain("--reference"));
    }

    [Test]
    public void A_forced_detector_failure_on_a_real_model_exits_2_and_the_json_says_error()
    {
        var policy = Path.Combine(_dir, "modelgate.json");
        File.WriteAllText(policy, """{ "detectors": { "target-inversion": { "enabled": false }, "trigger-inversion": { "enabled": false } } }""");
        var json = Path.Combine(_dir, "r.json");
        Environment.SetEnvironmentVariable(ScanRunner.FailDetectorVariable, "trigger-sweep");
        try
        {
            var (exit, _, error) = CliHarness.Run("scan", Stories, "--policy", policy, "--json", json, "--device", "cpu");
            Assert.That(exit, Is.EqualTo(ExitCodes.Error), error);
            Assert.That(error, Does.Contain("trigger-sweep"));
        }
        finally { Environment.SetEnvironmentVariable(ScanRunner.FailDetectorVariable, null); }
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That(doc["verdict"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(doc["errors"]![0]!["detectorId"]!.GetValue<string>(), Is.EqualTo("trigger-sweep"));
        Assert.That(doc["settings"]!["policyPath"]!.GetValue<string>(), Is.EqualTo(policy));
        AssertSchemaValid(json);
    }

    [Test]
    public void A_default_scan_of_stories260K_passes_and_its_json_matches_the_schema()
    {
        var json = Path.Combine(_dir, "r.json");
        var (exit, output, error) = CliHarness.Run("scan", Stories, "--json", json, "--device", "cpu", "--seed", "7", "--reference", Stories);
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), output + error);
        Assert.That(output, Does.Contain("PASS"));
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That(doc["verdict"]!.GetValue<string>(), Is.EqualTo("pass"));
        Assert.That(doc["settings"]!["seed"]!.GetValue<int>(), Is.EqualTo(7));
        Assert.That(doc["settings"]!["calibration"]!.GetValue<string>(), Does.StartWith("built-in"));
        Assert.That(doc["model"]!["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()), Does.Contain("model.safetensors"));
        var detectors = doc["detectors"]!.AsArray().ToDictionary(d => d!["id"]!.GetValue<string>(), d => d!);
        Assert.That(detectors.Keys, Is.EquivalentTo(new[] { "format-safety", "self-report", "target-inversion", "trigger-inversion", "articulation", "trigger-sweep", "weight-delta" }));
        Assert.That(detectors["weight-delta"]["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        Assert.That(detectors["weight-delta"]["rawScore"]!.GetValue<double>(), Is.EqualTo(0), "a model against itself has no delta");
        Assert.That(detectors["target-inversion"]["cost"]!["forwardPasses"]!.GetValue<long>(), Is.GreaterThan(0));
        Assert.That(doc["declaredAt"]!["path"]!.GetValue<string>(), Is.EqualTo(Path.Combine(Stories, "config.json")));
        AssertSchemaValid(json);
    }

    [Test]
    public void Calibrate_on_a_clean_model_then_scan_with_it_passes_and_names_the_calibration()
    {
        var cal = Path.Combine(_dir, "calibration.json");
        var (exit, output, error) = CliHarness.Run("calibrate", Stories, "--out", cal, "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), error);
        Assert.That(output, Does.Contain("target-inversion").And.Contain("trigger-sweep").And.Contain("1 model(s)"));
        var json = Path.Combine(_dir, "r.json");
        (exit, output, error) = CliHarness.Run("scan", Stories, "--calibration", cal, "--json", json, "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), output + error);
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That(doc["verdict"]!.GetValue<string>(), Is.EqualTo("pass"), "the model the calibration was fitted on must not warn");
        Assert.That(doc["settings"]!["calibration"]!.GetValue<string>(), Does.Contain("modelgate calibrate").And.Contain(cal));

        (exit, _, error) = CliHarness.Run("calibrate", Path.Combine(_dir, "missing"), "--out", Path.Combine(_dir, "c2.json"));
        Assert.That(exit, Is.Not.EqualTo(ExitCodes.Pass));
        Assert.That(File.Exists(Path.Combine(_dir, "c2.json")), Is.False, "no calibration from a scan that did not complete");
    }

    [Test]
    public void GitHub_publishing_writes_outputs_and_never_changes_the_exit_code()
    {
        var dir = PickleDir();
        var outputs = Path.Combine(_dir, "github_output");
        var vars = new Dictionary<string, string?>
        {
            ["GITHUB_OUTPUT"] = outputs, ["GITHUB_STEP_SUMMARY"] = _dir, // a directory: the summary cannot be written
            ["GITHUB_TOKEN"] = null, ["GITHUB_REPOSITORY"] = null,
        };
        var saved = vars.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (k, v) in vars) Environment.SetEnvironmentVariable(k, v);
        try
        {
            var (exit, output, error) = CliHarness.Run("scan", dir, "--github");
            Assert.That(exit, Is.EqualTo(ExitCodes.GateFailed), error);
            Assert.That(output, Does.Contain("::error"));
            Assert.That(error, Does.Contain("could not write the job summary"));
            Assert.That(File.ReadAllText(outputs), Does.Contain("verdict").And.Contain("fail"));
        }
        finally { foreach (var (k, v) in saved) Environment.SetEnvironmentVariable(k, v); }
    }
}
