using ModelGate.Tests.Shared;

namespace ModelGate.Packaging.Tests;

/// <summary>
/// Runs the action's scan.sh and gate.sh with a fake modelgate (a test fixture exiting with a chosen code and writing a
/// report) to check the publish-then-fail order: scan.sh always exits 0 and records the worst verdict; gate.sh fails
/// the job on it, and fails closed on errors or a missing verdict.
/// </summary>
[TestFixture]
public sealed class ActionScriptTests
{
    private static string ActionDir => Path.Combine(SharedFixtures.RepoRoot, "action");

    [SetUp]
    public void RequireBash()
    {
        if (ActionValidationTests.FindOnPath("bash") is null) Assert.Ignore("bash is not on PATH.");
    }

    private static (int Code, string Output, Dictionary<string, string> Outputs) Scan(string models, params (string Model, int Exit, string Verdict)[] behaviour)
    {
        var dir = SharedFixtures.TempDir("mg-action");
        var toolDir = Directory.CreateDirectory(Path.Combine(dir, "tool")).FullName;
        var cases = string.Concat(behaviour.Select(b =>
            $"  {b.Model}) printf '{{\"verdict\": \"{b.Verdict}\"}}' > \"$json\"; exit {b.Exit} ;;\n"));
        var cli = Path.Combine(toolDir, "modelgate");
        File.WriteAllText(cli, "#!/bin/sh\n# Test fixture: fake modelgate scan MODEL --json J ...\nmodel=\"$2\"; json=\"$4\"\ncase \"$model\" in\n" + cases + "esac\nexit 2\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(cli, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var outputFile = Path.Combine(dir, "github_output");
        File.WriteAllText(outputFile, "");
        var (code, output) = ProcessRunner.Run("bash", [Path.Combine(ActionDir, "scan.sh")], dir, new Dictionary<string, string>
        {
            ["MG_MODELS"] = models, ["MG_POLICY"] = "", ["MG_TOOL_DIR"] = toolDir,
            ["MG_REPORT_DIR"] = Path.Combine(dir, "reports"), ["GITHUB_OUTPUT"] = outputFile,
        });
        var outputs = File.ReadAllLines(outputFile).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return (code, output, outputs);
    }

    private static int Gate(string verdict, string failOn) =>
        ProcessRunner.Run("bash", [Path.Combine(ActionDir, "gate.sh")], ActionDir,
            new Dictionary<string, string> { ["MG_VERDICT"] = verdict, ["MG_FAIL_ON"] = failOn }).ExitCode;

    [Test]
    public void ScanRecordsTheWorstVerdictAndNeverFailsItself()
    {
        var (code, output, outputs) = Scan("models/a\n  models/b  \n\n", ("models/a", 0, "warn"), ("models/b", 1, "fail"));
        Assert.That(code, Is.Zero, output);
        Assert.That(outputs["verdict"], Is.EqualTo("fail"));
    }

    [Test]
    public void ACrashedScanIsAnErrorVerdict()
    {
        var (_, output, outputs) = Scan("models/a\nmodels/unknown", ("models/a", 0, "pass"));
        Assert.That(outputs["verdict"], Is.EqualTo("error"));
        Assert.That(output, Does.Contain("::error"));
    }

    [Test]
    public void NoModelsFailsClosed()
    {
        var (_, _, outputs) = Scan("  \n");
        Assert.That(outputs["verdict"], Is.EqualTo("error"));
    }

    [TestCase("pass", "fail", 0)]
    [TestCase("warn", "fail", 0)]
    [TestCase("warn", "warn", 1)]
    [TestCase("fail", "fail", 1)]
    [TestCase("fail", "never", 0)]
    [TestCase("error", "never", 2)]
    [TestCase("", "fail", 2)]
    public void GateFailsTheJobOnTheVerdict(string verdict, string failOn, int expected) =>
        Assert.That(Gate(verdict, failOn), Is.EqualTo(expected));

    [Test]
    public void SelfTestWithoutACanaryFailsClosedBeforeScanning()
    {
        // The real self-test runs in ActionSelfTestTests; this is the set-up failure, without any CLI.
        var dir = SharedFixtures.TempDir("mg-self-test-missing");
        var (code, output) = ProcessRunner.Run("bash", [Path.Combine(ActionDir, "self-test.sh")], dir, new Dictionary<string, string>
        {
            ["MG_TOOL_DIR"] = Path.Combine(dir, "no-tool"), ["MG_CANARY"] = Path.Combine(dir, "no-canary"), ["MG_REPORT_DIR"] = dir,
        });
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("::error title=ModelGate self-test::no canary model at"));
    }
}
