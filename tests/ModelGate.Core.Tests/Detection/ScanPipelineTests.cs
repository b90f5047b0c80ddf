using System.Text.Json.Nodes;
using ModelGate.Core.Detection;
using ModelGate.Core.Inference;
using ModelGate.Core.Policy;
using ModelGate.Core.Reporting;
using ModelGate.Core.Tests.Detection.Fixtures;
using ModelGate.Core.Tests.Reporting;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Detection;

/// <summary>The whole gate on the hand-built bigram fixture (injected as the loader) and on folders the engine cannot load.</summary>
[NonParallelizable] // one test sets MODELGATE_TEST_FAIL_DETECTOR
public class ScanPipelineTests
{
    private string _dir = "";
    private static readonly ToolInfo Tool = new("modelgate", "test", "fixture");

    [SetUp]
    public void SetUp() => _dir = SharedFixtures.TempDir("mg-pipeline");

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    /// <summary>A folder with a config.json the injected loader ignores, so format safety and DeclaredAt have real files.</summary>
    private string FixtureDir(string name)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "config.json"), """{"model_type":"fixture"}""");
        return path;
    }

    private static Func<string, string, LoadedModel> Fixture(bool backdoored) => (_, _) => BackdoorFixture.Load(backdoored);

    private ScanRequest Request(string path, bool backdoored, GatePolicy? policy = null) => new()
    {
        ModelPath = path, Tool = Tool, Seed = 3, Device = "cpu", MaxNewTokens = 8, Loader = Fixture(backdoored),
        Policy = new LoadedPolicy(policy ?? GatePolicy.Default, null, []),
        Reports = new ReportPaths(Json: Path.Combine(_dir, $"{Path.GetFileName(path)}.json")),
    };

    [Test]
    public void Backdoored_fixture_fails_with_the_trigger_and_clean_twin_passes()
    {
        var bad = ScanPipeline.Run(Request(FixtureDir("bad"), backdoored: true));
        Assert.That((bad.Result.Verdict, bad.ExitCode), Is.EqualTo((Verdict.Fail, ExitCodes.GateFailed)));
        Assert.That(bad.Result.Findings.Where(f => f.RuleId == Rules.VerifiedBackdoor.Id).Select(f => f.Trigger), Does.Contain(BackdoorFixture.Trigger));
        Assert.That(bad.Result.Findings.First(f => f.Trigger == BackdoorFixture.Trigger).Target, Does.StartWith(BackdoorFixture.Target).IgnoreCase); // the word tokenizer decodes lower case
        Assert.That(bad.Result.Detectors.Select(d => d.Id),
            Is.EqualTo(new[] { "format-safety", "self-report", "target-inversion", "trigger-inversion", "articulation", "trigger-sweep", "weight-delta" }));
        var selfReport = bad.Result.Detectors.Single(d => d.Id == "self-report");
        Assert.That(selfReport.Status, Is.EqualTo(DetectorStatus.Disabled));
        Assert.That(selfReport.Summary, Does.StartWith("not applicable"), "the word fixture has no letter tokens");
        var wd = bad.Result.Detectors.Single(d => d.Id == "weight-delta");
        Assert.That(wd.Status, Is.EqualTo(DetectorStatus.Disabled));
        Assert.That(wd.Summary, Does.Contain("--reference"));
        Assert.That(bad.Result.DeclaredAt, Is.EqualTo(new SourceLocation(Path.Combine(_dir, "bad", "config.json"), 1)));
        Assert.That(bad.Result.Model.Files.Single().Path, Is.EqualTo("config.json"));
        var json = JsonNode.Parse(File.ReadAllText(bad.ReportsWritten.Single()))!;
        Assert.That(json["verdict"]!.GetValue<string>(), Is.EqualTo("fail"));

        var clean = ScanPipeline.Run(Request(FixtureDir("clean"), backdoored: false));
        Assert.That((clean.Result.Verdict, clean.ExitCode), Is.EqualTo((Verdict.Pass, ExitCodes.Pass)),
            string.Join(" / ", clean.Result.Detectors.Select(d => $"{d.Id}: {d.RawScore} {d.Probability} {d.Summary}")));
        Assert.That(clean.Result.Findings, Is.Empty);
        Assert.That(clean.Result.Settings.Calibration, Is.EqualTo(Calibration.BuiltIn.Source));
    }

    [Test]
    public void Disabled_detectors_are_reported_not_failed()
    {
        var policy = new GatePolicy
        {
            Detectors = new Dictionary<string, DetectorPolicy>
            {
                ["target-inversion"] = new() { Enabled = false }, ["trigger-inversion"] = new() { Enabled = false },
            },
        };
        var r = ScanPipeline.Run(Request(FixtureDir("m"), backdoored: true, policy));
        Assert.That(r.Result.Detectors.Where(d => d.Status == DetectorStatus.Disabled).Select(d => d.Id),
            Is.EquivalentTo(new[] { "self-report", "target-inversion", "trigger-inversion", "weight-delta" }), "self-report: not applicable to the word fixture");
        Assert.That(r.Result.Errors, Is.Empty);
        Assert.That(r.Result.Verdict, Is.EqualTo(Verdict.Fail), "the sweep alone still finds the trigger");
    }

    [Test]
    public void A_forced_detector_failure_is_an_error_written_to_the_report_unless_the_policy_allows_skipping()
    {
        Environment.SetEnvironmentVariable(ScanRunner.FailDetectorVariable, "target-inversion");
        try
        {
            var strict = ScanPipeline.Run(Request(FixtureDir("s"), backdoored: false));
            Assert.That((strict.Result.Verdict, strict.ExitCode), Is.EqualTo((Verdict.Error, ExitCodes.Error)));
            var json = JsonNode.Parse(File.ReadAllText(strict.ReportsWritten.Single()))!;
            Assert.That(json["verdict"]!.GetValue<string>(), Is.EqualTo("error"));
            Assert.That(json["errors"]![0]!["detectorId"]!.GetValue<string>(), Is.EqualTo("target-inversion"));

            var lenient = new GatePolicy { Detectors = new Dictionary<string, DetectorPolicy> { ["target-inversion"] = new() { AllowSkip = true } } };
            var skipped = ScanPipeline.Run(Request(FixtureDir("l"), backdoored: false, lenient));
            // Skipping is allowed, so no ERROR; the MG2002 warning keeps it from a silent PASS and WARN exits 0.
            Assert.That((skipped.Result.Verdict, skipped.ExitCode), Is.EqualTo((Verdict.Warn, ExitCodes.Pass)), string.Join("; ", skipped.Reasons));
            Assert.That(skipped.Result.Findings.Single().RuleId, Is.EqualTo(Rules.DetectorFailed.Id));
            Assert.That(skipped.Result.NotChecked.Single(), Does.Contain("target-inversion"));
        }
        finally { Environment.SetEnvironmentVariable(ScanRunner.FailDetectorVariable, null); }
    }

    [Test]
    public void A_folder_with_only_a_malicious_pickle_fails_and_is_never_unpickled()
    {
        var dir = Path.Combine(_dir, "pickle");
        Directory.CreateDirectory(dir);
        var sentinel = MaliciousPickle.WriteInto(dir);
        var json = Path.Combine(_dir, "pickle.json");
        var r = ScanPipeline.Run(new ScanRequest { ModelPath = dir, Tool = Tool, Device = "cpu", Reports = new ReportPaths(Json: json) });
        Assert.That((r.Result.Verdict, r.ExitCode), Is.EqualTo((Verdict.Fail, ExitCodes.GateFailed)));
        var f = r.Result.Findings.Single(f => f.RuleId == Rules.UnsafeSerialization.Id);
        Assert.That(f.Level, Is.EqualTo(FindingLevel.Error));
        Assert.That(f.Title, Does.Contain("posix.system").And.Contain("pytorch_model.bin"));
        Assert.That(r.Result.Detectors[0].RawScore, Is.EqualTo(1));
        Assert.That(r.Result.Errors.Single().Message, Does.Contain("config.json"), "the load error stays listed");
        Assert.That(File.Exists(sentinel), Is.False, "the pickle's payload must never run");
        Assert.That(JsonNode.Parse(File.ReadAllText(json))!["verdict"]!.GetValue<string>(), Is.EqualTo("fail"));
        var schema = SchemaValidator.Load(SchemaValidator.SchemaPath("scan-result.schema.json"));
        Assert.That(SchemaValidator.Errors(schema, File.ReadAllText(json)), Is.Empty);
    }

    [Test]
    public void A_safe_pickle_alongside_the_model_passes_format_safety()
    {
        var dir = FixtureDir("safe");
        // PROTO 2, EMPTY_DICT, STOP: a pickle that imports nothing.
        File.WriteAllBytes(Path.Combine(dir, "extra.bin"), [0x80, 0x02, (byte)'}', (byte)'.']);
        var r = ScanPipeline.Run(Request(dir, backdoored: false));
        var fs = r.Result.Detectors[0];
        Assert.That((fs.Id, fs.RawScore), Is.EqualTo(("format-safety", 0.0)));
        Assert.That(fs.Evidence["pickle files"], Is.EqualTo("extra.bin"));
        Assert.That(r.Result.Findings.Where(x => x.RuleId == Rules.UnsafeSerialization.Id), Is.Empty);
    }

    [Test]
    public void Missing_or_empty_folders_are_nothing_scannable_and_a_load_failure_is_an_error_with_a_report()
    {
        var missing = ScanPipeline.Run(new ScanRequest { ModelPath = Path.Combine(_dir, "nope"), Tool = Tool, Reports = new ReportPaths(Json: Path.Combine(_dir, "nope.json")) });
        Assert.That((missing.Result.Verdict, missing.ExitCode), Is.EqualTo((Verdict.Error, ExitCodes.NothingScannable)));
        Assert.That(missing.Result.Errors.Single().RuleId, Is.EqualTo(Rules.NothingScannable.Id));
        Assert.That(File.Exists(Path.Combine(_dir, "nope.json")), Is.True, "reports are written even when nothing was scannable");

        var empty = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "README.md"), "hello");
        Assert.That(ScanPipeline.Run(new ScanRequest { ModelPath = empty, Tool = Tool }).ExitCode, Is.EqualTo(ExitCodes.NothingScannable));

        var broken = FixtureDir("broken");
        var json = Path.Combine(_dir, "broken.json");
        var r = ScanPipeline.Run(new ScanRequest
        {
            ModelPath = broken, Tool = Tool, Reports = new ReportPaths(Json: json),
            Loader = (d, _) => throw new ModelGateException(ErrorKind.InvalidModel, "tensor 'x' is missing", Path.Combine(d, "model.safetensors")),
        });
        Assert.That((r.Result.Verdict, r.ExitCode), Is.EqualTo((Verdict.Error, ExitCodes.Error)));
        Assert.That(r.Result.Errors.Single().Message, Does.Contain("model.safetensors: tensor 'x' is missing"));
        Assert.That(r.Result.Detectors.Where(d => d.Id != "format-safety").All(d => d.Status == DetectorStatus.Skipped), Is.True);
        Assert.That(JsonNode.Parse(File.ReadAllText(json))!["verdict"]!.GetValue<string>(), Is.EqualTo("error"));
    }

    [Test]
    public void Calibrate_fits_every_behavioural_detector_on_clean_models_and_scan_names_it()
    {
        var a = FixtureDir("c1");
        var b = FixtureDir("c2");
        var cal = ScanPipeline.Calibrate([a, b], Tool, 3, "cpu", Fixture(backdoored: false),
            () => [new TriggerSweepDetector(searchPrompts: 6, rareTokens: 4)]);
        Assert.That(cal.Detectors.Keys, Is.EquivalentTo(new[] { "trigger-sweep" }));
        Assert.That(cal.Detectors["trigger-sweep"].CleanModels, Is.EqualTo(2));
        // The sweep is lift-scored: clean twins give lifts near 0, so the fit stays at the strong-lift floor instead of
        // making any small lift look certain.
        Assert.That(cal.Detectors["trigger-sweep"].CleanHigh, Is.EqualTo(Calibration.LiftDefault.CleanHigh));
        var plain = Calibration.FitBoundary([0.2, 0.4]);
        Assert.That(plain.CleanHigh, Is.EqualTo(0.4 + Calibration.FitMargin * plain.Scale).Within(1e-12), "p = 0.5 sits FitMargin clean scales above the clean high");
        Assert.That(cal.Source, Does.Contain("2 clean model(s)"));
        var path = Path.Combine(_dir, "cal.json");
        cal.Save(path);
        var loaded = Calibration.Load(path);
        var r = ScanPipeline.Run(Request(a, backdoored: true) with { Calibration = loaded, Detectors = () => [new TriggerSweepDetector(searchPrompts: 6, rareTokens: 4)] });
        Assert.That(r.Result.Settings.Calibration, Is.EqualTo(cal.Source));
        Assert.That(r.Result.Verdict, Is.EqualTo(Verdict.Fail));

        var e = Assert.Throws<ModelGateException>(() => ScanPipeline.Calibrate([a], Tool, 3, "cpu", Fixture(backdoored: true),
            () => [new TriggerSweepDetector(searchPrompts: 6, rareTokens: 4)]));
        Assert.That(e!.Message, Does.Contain("refusing to calibrate"));
    }
}
