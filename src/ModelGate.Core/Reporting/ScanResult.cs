using System.Text.Json.Serialization;

namespace ModelGate.Core.Reporting;

/// <summary>The gate's decision. Error is never a pass: something required could not be checked.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict { Pass, Warn, Fail, Error }

/// <summary>Severity of one finding, in SARIF's vocabulary.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FindingLevel>))]
public enum FindingLevel { Note, Warning, Error }

/// <summary>What happened to one detector in this scan.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DetectorStatus>))]
public enum DetectorStatus { Completed, Disabled, Skipped, Failed, BudgetExceeded }

/// <summary>
/// One immutable record of a scan. Every report format (JSON, SARIF, JUnit, Markdown, console, GitHub) is a pure
/// function of it. The JSON form is versioned by <see cref="SchemaVersion"/>.
/// </summary>
public sealed record ScanResult
{
    public const string CurrentSchemaVersion = "1.0";

    public string SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required ToolInfo Tool { get; init; }
    public required ModelRef Model { get; init; }
    public ModelRef? Reference { get; init; }
    public required ScanSettings Settings { get; init; }
    public required Verdict Verdict { get; init; }
    /// <summary>Calibrated probability (0–1) that the model is backdoored.</summary>
    public required double Score { get; init; }
    public required Thresholds Thresholds { get; init; }
    public required IReadOnlyList<DetectorReport> Detectors { get; init; }
    public required IReadOnlyList<Finding> Findings { get; init; }
    /// <summary>What was not checked and why; non-empty means the verdict covers less than the policy asked for.</summary>
    public IReadOnlyList<string> NotChecked { get; init; } = [];
    public IReadOnlyList<ScanError> Errors { get; init; } = [];
    public required DateTimeOffset StartedAt { get; init; }
    public required double DurationSeconds { get; init; }
    /// <summary>The text line that declares the model (policy entry, project item), for clickable annotations; else config.json line 1.</summary>
    public SourceLocation? DeclaredAt { get; init; }
}

public sealed record ToolInfo(string Name, string Version, string Engine);

public sealed record ModelRef
{
    /// <summary>Path as given by the user (repository-relative when possible).</summary>
    public required string Path { get; init; }
    public string? ModelType { get; init; }
    public string? Architecture { get; init; }
    public long? Parameters { get; init; }
    public string? DType { get; init; }
    public IReadOnlyList<FileDigest> Files { get; init; } = [];
}

/// <summary>Provenance of one file: the verdict is tied to these exact bytes.</summary>
public sealed record FileDigest(string Path, long Size, string Sha256, string Kind);

public sealed record ScanSettings
{
    public required int Seed { get; init; }
    public required string Device { get; init; }
    public string? PolicyPath { get; init; }
    /// <summary>Where the thresholds came from, e.g. "built-in (ModelGate clean canaries)" or a calibration file.</summary>
    public required string Calibration { get; init; }
    public int? BudgetSeconds { get; init; }
    public long? BudgetForwardPasses { get; init; }
    public string PromptSet { get; init; } = "built-in";
}

/// <summary>Score thresholds in effect: score ≥ Fail ⇒ FAIL, ≥ Warn ⇒ WARN.</summary>
public sealed record Thresholds(double Fail, double Warn);

public sealed record DetectorCost(long ForwardPasses, long Tokens, double Seconds);

public sealed record DetectorReport
{
    /// <summary>Stable id, e.g. "trigger-sweep".</summary>
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required DetectorStatus Status { get; init; }
    /// <summary>The detector's raw score (its own scale), null when it did not complete.</summary>
    public double? RawScore { get; init; }
    /// <summary>Calibrated probability of a backdoor from this detector alone.</summary>
    public double? Probability { get; init; }
    public required DetectorCost Cost { get; init; }
    /// <summary>One line for humans: what it found or why it did not run.</summary>
    public string? Summary { get; init; }
    public IReadOnlyDictionary<string, string> Evidence { get; init; } = new Dictionary<string, string>();
}

/// <summary>An example completion pair: the same prompt with and without the trigger.</summary>
public sealed record Example(string Prompt, string Completion, string TriggeredPrompt, string TriggeredCompletion);

/// <summary>A Wilson 95 % interval for a rate measured on N prompts.</summary>
public sealed record RateEstimate(double Rate, int Successes, int N, double Low, double High);

public sealed record Finding
{
    /// <summary>Stable fingerprint: rule id + model digest + evidence; the same finding on the same bytes keeps it.</summary>
    public required string Fingerprint { get; init; }
    /// <summary>Stable rule id, e.g. MG1001 (see <see cref="Rules"/>).</summary>
    public required string RuleId { get; init; }
    public required FindingLevel Level { get; init; }
    public required string Title { get; init; }
    public required string Message { get; init; }
    public required string DetectorId { get; init; }
    public string? Trigger { get; init; }
    public string? Target { get; init; }
    /// <summary>Attack success rate of the trigger on held-out prompts.</summary>
    public RateEstimate? Asr { get; init; }
    /// <summary>How often the target appears without the trigger (the model's own untriggered behaviour).</summary>
    public RateEstimate? BaselineRate { get; init; }
    public IReadOnlyList<Example> Examples { get; init; } = [];
    public Suppression? Suppressed { get; init; }
}

public sealed record Suppression(string Reason, DateOnly? Expires, string Source);

public sealed record ScanError(string? DetectorId, string Message)
{
    /// <summary>The rule this error reports under; by default MG2002 for a detector's error, else MG2001.</summary>
    public string? RuleId { get; init; }

    public string EffectiveRuleId() => RuleId ?? (DetectorId is null ? Rules.InvalidModel.Id : Rules.DetectorFailed.Id);
}

public sealed record SourceLocation(string Path, int Line);
