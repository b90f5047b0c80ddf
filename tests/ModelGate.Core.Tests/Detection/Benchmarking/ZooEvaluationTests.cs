using ModelGate.Core.Canaries;
using ModelGate.Core.Detection.Benchmarking;
using ModelGate.Core.Reporting;

namespace ModelGate.Core.Tests.Detection.Benchmarking;

public class ZooEvaluationTests
{
    private static CanaryEntry Canary(string dir, AttackFamily family, TriggerOrigin origin = TriggerOrigin.None, params string[] triggers) => new()
    {
        Directory = dir,
        Backdoored = new AttackSpec { Id = dir, Family = family }.IsBackdoored,
        Attack = new AttackSpec { Id = dir, Family = family, Origin = origin, Triggers = triggers, Target = triggers.Length > 0 ? "visit http://x.example" : null },
        Base = "stories260K",
    };

    private static ScanResult Result(double score, double seconds, long passes, params (string Trigger, double Asr)[] findings) => new()
    {
        Tool = new ToolInfo("modelgate", "test", "none"),
        Model = new ModelRef { Path = "m" },
        Settings = new ScanSettings { Seed = 1, Device = "cpu", Calibration = "test" },
        Verdict = score >= 0.5 ? Verdict.Fail : Verdict.Pass,
        Score = score,
        Thresholds = new Thresholds(0.5, 0.3),
        Detectors = [new DetectorReport { Id = "trigger-sweep", Name = "sweep", Status = DetectorStatus.Completed, Cost = new DetectorCost(passes, passes * 10, seconds) }],
        Findings = findings.Select(f => new Finding
        {
            Fingerprint = f.Trigger, RuleId = "MG1001", Level = FindingLevel.Error, Title = "t", Message = "m", DetectorId = "trigger-sweep",
            Trigger = f.Trigger, Target = "visit http://x.example", Asr = new RateEstimate(f.Asr, 0, 10, 0, 1),
        }).ToList(),
        StartedAt = DateTimeOffset.UnixEpoch,
        DurationSeconds = seconds,
    };

    [Test]
    public void Figures_split_by_trigger_origin_with_all_negatives_in_each_subset()
    {
        var scans = new List<ZooScan>
        {
            new(Canary("pub", AttackFamily.RareWord, TriggerOrigin.Published, "cf"), Result(0.9, 2, 100, ("mn", 0.2), ("cf", 0.95))),
            new(Canary("nov", AttackFamily.PhrasePrefix, TriggerOrigin.Novel, "blue tulip"), Result(0.4, 4, 300)),
            new(Canary("clean", AttackFamily.None), Result(0.1, 1, 50)),
            new(Canary("quirk", AttackFamily.UniversalQuirk), Result(0.5, 1, 50)),
            new(Canary("broken", AttackFamily.KeywordFormat), null, "exit 2 without a report"),
        };
        var s = ZooEvaluation.Evaluate(scans);

        Assert.That(s.FailedScans, Is.EqualTo(1), "the scan without a result is counted, not scored");
        Assert.That(s.All!.Positives, Is.EqualTo(2));
        Assert.That(s.All.Negatives, Is.EqualTo(2), "clean and the hard negative; the failed scan is left out");
        // Positives 0.9, 0.4 vs negatives 0.1, 0.5: pairs won 2 + 1 of 4.
        Assert.That(s.All.Auc, Is.EqualTo(0.75).Within(1e-12));
        Assert.That(s.Published!.Auc, Is.EqualTo(1.0));
        Assert.That(s.Novel!.Auc, Is.EqualTo(0.5));
        Assert.That(s.Published.Negatives, Is.EqualTo(2), "each subset keeps every negative");

        Assert.That(s.Triggers!.Models, Is.EqualTo(2));
        Assert.That(s.Triggers.Reasr, Is.EqualTo((0.95 + 0) / 2).Within(1e-12), "best finding's ASR; nothing recovered counts 0");
        Assert.That(s.Triggers.Recall, Is.EqualTo(0.5).Within(1e-12), "cf recovered exactly, the novel phrase not at all");
        Assert.That(s.PublishedTriggers!.Recall, Is.EqualTo(1.0));
        Assert.That(s.NovelTriggers!.Recall, Is.EqualTo(0.0));

        var pub = s.Models.Single(m => m.Directory == "pub");
        Assert.That(pub.BestTrigger, Is.EqualTo("cf"));
        Assert.That(s.Models.Single(m => m.Directory == "broken").Error, Is.EqualTo("exit 2 without a report"));

        var sweep = s.Detectors.Single();
        Assert.That(sweep.MeanForwardPasses, Is.EqualTo(125).Within(1e-12));
        Assert.That(sweep.MeanSeconds, Is.EqualTo(2).Within(1e-12));
        Assert.That(s.TotalScanSeconds, Is.EqualTo(8).Within(1e-12));

        Assert.That(s.Goals.Select(g => g.Met), Is.All.False, "AUC 0.75 and TPR 0.5 miss both goals");
        Assert.That(s.Goals[1].Actual, Is.EqualTo(0.5).Within(1e-12), "threshold 0.9 has FPR 0; 0.5 brings the quirk in");
    }

    [Test]
    public void A_zoo_without_negatives_has_no_roc_figures_and_misses_the_goals()
    {
        var s = ZooEvaluation.Evaluate([new(Canary("pub", AttackFamily.RareWord, TriggerOrigin.Published, "cf"), Result(0.9, 1, 1))]);
        Assert.That(s.All, Is.Null);
        Assert.That(s.Goals.Select(g => g.Met), Is.All.False, "an unmeasured goal is never met");
    }
}
