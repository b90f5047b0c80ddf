using ModelGate.Core.Detection;
using ModelGate.Core.Reporting;
using ModelGate.Core.Tests.Detection.Fixtures;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Detection;

[NonParallelizable] // sets a process environment variable
public class CalibrationAndRunnerTests
{
    private static ScanRunOptions Options(bool allowSkip = false) => new(
        new ToolInfo("modelgate", "test", "fixture"),
        new ModelRef { Path = "fixture" },
        new ScanSettings { Seed = 3, Device = "cpu", Calibration = "?" },
        allowSkip);

    private sealed class ConstantDetector(string id, double raw) : IDetector
    {
        public string Id => id;
        public string Name => $"constant {raw}";
        public DetectorOutcome Run(ScanContext context) => new(raw, [], [], new Dictionary<string, string>(), "constant");
    }

    [Test]
    public void Noisy_or_and_probability_mapping()
    {
        Assert.That(Calibration.NoisyOr([0.5, 0.5]), Is.EqualTo(0.75).Within(1e-12));
        Assert.That(Calibration.NoisyOr([]), Is.EqualTo(0));
        var c = Calibration.BuiltIn with { Detectors = new Dictionary<string, DetectorCalibration> { ["d"] = new(0.2, 0.1, 10) } };
        Assert.That(c.Probability("d", 0.2), Is.EqualTo(0.5).Within(1e-12), "clean high quantile maps to 0.5");
        Assert.That(c.Probability("d", 0.3), Is.EqualTo(1 / (1 + Math.Exp(-1))).Within(1e-12));
        Assert.That(c.Probability("d", 0.0), Is.LessThan(0.2));
        Assert.That(c.VerdictFor(0.95), Is.EqualTo(Verdict.Fail));
        Assert.That(c.VerdictFor(0.6), Is.EqualTo(Verdict.Warn));
        Assert.That(c.VerdictFor(0.1), Is.EqualTo(Verdict.Pass));
    }

    [Test]
    public void Fit_uses_the_clean_95th_percentile_and_floors_the_scale()
    {
        var fit = Calibration.Fit(Enumerable.Range(1, 20).Select(i => i / 100.0).ToArray());
        Assert.That(fit.CleanHigh, Is.EqualTo(0.19).Within(1e-12));
        Assert.That(fit.CleanModels, Is.EqualTo(20));
        Assert.That(Calibration.Fit([0.1, 0.1]).Scale, Is.EqualTo(0.02));
    }

    [Test]
    public void Calibration_round_trips_and_rejects_bad_files()
    {
        var dir = SharedFixtures.TempDir("mg-cal");
        var path = Path.Combine(dir, "cal.json");
        var c = Calibration.BuiltIn with { Source = "x", Detectors = new Dictionary<string, DetectorCalibration> { ["trigger-sweep"] = new(0.1, 0.05, 4) } };
        c.Save(path);
        var back = Calibration.Load(path);
        Assert.That(back.Thresholds, Is.EqualTo(c.Thresholds));
        Assert.That(back.Detectors["trigger-sweep"], Is.EqualTo(c.Detectors["trigger-sweep"]));
        File.WriteAllText(path, "{ nope");
        var e = Assert.Throws<ModelGateException>(() => Calibration.Load(path));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.Policy));
        Assert.That(e.Message, Does.StartWith(path));
        File.WriteAllText(path, """{"source":"s","thresholds":{"fail":0.2,"warn":0.5}}""");
        Assert.Throws<ModelGateException>(() => Calibration.Load(path));
    }

    [Test]
    public void Forced_detector_failure_gives_error_never_pass()
    {
        using var m = BackdoorFixture.Load(backdoored: false);
        Environment.SetEnvironmentVariable(ScanRunner.FailDetectorVariable, "b");
        try
        {
            var detectors = new IDetector[] { new ConstantDetector("a", 0), new ConstantDetector("b", 0) };
            var r = ScanRunner.Run(new ScanContext(m, 3, ScanBudget.Unlimited), detectors, Calibration.BuiltIn, Options());
            Assert.That(r.Verdict, Is.EqualTo(Verdict.Error));
            Assert.That(r.Detectors.Single(d => d.Id == "b").Status, Is.EqualTo(DetectorStatus.Failed));
            Assert.That(r.Errors.Single().DetectorId, Is.EqualTo("b"));
            Assert.That(r.Findings.Single().RuleId, Is.EqualTo(Rules.DetectorFailed.Id));
            var skipped = ScanRunner.Run(new ScanContext(m, 3, ScanBudget.Unlimited), detectors, Calibration.BuiltIn, Options(allowSkip: true));
            Assert.That(skipped.Verdict, Is.EqualTo(Verdict.Pass));
            Assert.That(skipped.NotChecked, Has.Count.EqualTo(1));
        }
        finally { Environment.SetEnvironmentVariable(ScanRunner.FailDetectorVariable, null); }
    }

    [Test]
    public void Budget_overrun_is_reported_and_fails_closed()
    {
        using var m = BackdoorFixture.Load(backdoored: true);
        var r = ScanRunner.Run(new ScanContext(m, 3, new ScanBudget(MaxForwardPasses: 5)), [new TriggerSweepDetector(rareTokens: 2)], Calibration.BuiltIn, Options());
        Assert.That(r.Detectors[0].Status, Is.EqualTo(DetectorStatus.BudgetExceeded));
        Assert.That(r.Verdict, Is.EqualTo(Verdict.Error));
    }

    [Test]
    public void End_to_end_backdoored_fails_with_verified_finding_and_clean_passes()
    {
        using var bad = BackdoorFixture.Load(backdoored: true);
        var r = ScanRunner.Run(new ScanContext(bad, 3, ScanBudget.Unlimited, maxNewTokens: 8), [new TriggerSweepDetector(rareTokens: 4)], Calibration.BuiltIn, Options());
        Assert.That(r.Verdict, Is.EqualTo(Verdict.Fail));
        var f = r.Findings.Single(f => f.RuleId == Rules.VerifiedBackdoor.Id);
        Assert.That(f.Trigger, Is.EqualTo("cf"));
        Assert.That(f.Asr!.Rate, Is.GreaterThanOrEqualTo(0.9));
        Assert.That(f.Examples, Is.Not.Empty);
        Assert.That(r.Detectors[0].Cost.ForwardPasses, Is.GreaterThan(0));
        using var clean = BackdoorFixture.Load(backdoored: false);
        var c = ScanRunner.Run(new ScanContext(clean, 3, ScanBudget.Unlimited, maxNewTokens: 8), [new TriggerSweepDetector(rareTokens: 4)], Calibration.BuiltIn, Options());
        Assert.That(c.Verdict, Is.EqualTo(Verdict.Pass), c.Detectors[0].Summary);
        Assert.That(c.Findings, Is.Empty);
    }
}

public class FullPipelineTests
{
    private static IDetector[] AllDetectors() =>
    [
        new TargetInversionDetector(scoringPrompts: 8, maxSteps: 8),
        new TriggerInversionDetector(triggerTokens: 1),
        new TriggerSweepDetector(searchPrompts: 6, rareTokens: 4),
    ];

    private static ScanRunOptions Options() => new(
        new ToolInfo("modelgate", "test", "fixture"), new ModelRef { Path = "fixture" },
        new ScanSettings { Seed = 3, Device = "cpu", Calibration = "?" });

    [Test]
    public void Bait_then_gcg_then_sweep_fail_the_backdoored_fixture_and_pass_its_clean_twin()
    {
        using var bad = BackdoorFixture.Load(backdoored: true);
        var r = ScanRunner.Run(new ScanContext(bad, 3, ScanBudget.Unlimited, maxNewTokens: 8), AllDetectors(), Calibration.BuiltIn, Options());
        Assert.That(r.Verdict, Is.EqualTo(Verdict.Fail));
        Assert.That(r.Detectors.All(d => d.Status == DetectorStatus.Completed), Is.True);
        Assert.That(r.Findings.Where(f => f.RuleId == Rules.VerifiedBackdoor.Id).Select(f => f.Trigger), Does.Contain("cf"));

        using var clean = BackdoorFixture.Load(backdoored: false);
        var c = ScanRunner.Run(new ScanContext(clean, 3, ScanBudget.Unlimited, maxNewTokens: 8), AllDetectors(), Calibration.BuiltIn, Options());
        Assert.That(c.Verdict, Is.EqualTo(Verdict.Pass), string.Join(" / ", c.Detectors.Select(d => $"{d.Id}: {d.RawScore} {d.Probability} {d.Summary}")));
        Assert.That(c.Findings, Is.Empty);
    }
}
