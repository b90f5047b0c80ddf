using ModelGate.Core.Reporting;

namespace ModelGate.GitHub.Tests;

/// <summary>ScanResults built in code, so each test states exactly what it publishes.</summary>
internal static class TestResults
{
    public static Finding Finding(int i, FindingLevel level, string? message = null) => new()
    {
        Fingerprint = $"fp{i}",
        RuleId = "MG1001",
        Level = level,
        Title = $"Finding {i}",
        Message = message ?? $"Trigger {i} flips the model, 50% of the time: see 'x, y'",
        DetectorId = "trigger-sweep",
        Trigger = $"|DEPLOYMENT-{i}|",
        Asr = new RateEstimate(0.9, 18, 20, 0.7, 0.97),
    };

    public static ScanResult Make(Verdict verdict = Verdict.Fail, IEnumerable<Finding>? findings = null, IReadOnlyList<string>? notChecked = null) => new()
    {
        Tool = new ToolInfo("modelgate", "0.1.0", "torchsharp-cpu"),
        Model = new ModelRef { Path = "models/tiny" },
        Settings = new ScanSettings { Seed = 1234, Device = "cpu", Calibration = "built-in" },
        Verdict = verdict,
        Score = 0.93,
        Thresholds = new Thresholds(0.8, 0.5),
        Detectors = [new DetectorReport { Id = "trigger-sweep", Name = "Trigger sweep", Status = DetectorStatus.Completed, Probability = 0.93, Cost = new DetectorCost(100, 2000, 3.5), Summary = "found a trigger" }],
        Findings = (findings ?? [Finding(1, FindingLevel.Error)]).ToList(),
        NotChecked = notChecked ?? [],
        StartedAt = new DateTimeOffset(2026, 11, 29, 5, 0, 0, TimeSpan.Zero),
        DurationSeconds = 12.5,
        DeclaredAt = new SourceLocation("modelgate.yml", 7),
    };

    public static IEnumerable<Finding> Many(int errors, int warnings, int notes) =>
        Enumerable.Range(0, errors).Select(i => Finding(i, FindingLevel.Error))
            .Concat(Enumerable.Range(errors, warnings).Select(i => Finding(i, FindingLevel.Warning)))
            .Concat(Enumerable.Range(errors + warnings, notes).Select(i => Finding(i, FindingLevel.Note)));
}
