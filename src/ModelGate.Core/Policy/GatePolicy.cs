using System.Text.Json.Serialization;
using ModelGate.Core.Reporting;

namespace ModelGate.Core.Policy;

/// <summary>
/// The gate's policy, read from modelgate.json (schema: docs/schemas/modelgate-policy.schema.json). Every setting
/// has a safe default, so an empty file — or no file — means "all detectors, fail on errors, warn on warnings".
/// </summary>
public sealed record GatePolicy
{
    /// <summary>Lets editors find the schema; ignored otherwise.</summary>
    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    /// <summary>Per-detector switches, keyed by detector id (e.g. "trigger-sweep"). Unlisted detectors run and may not be skipped.</summary>
    public IReadOnlyDictionary<string, DetectorPolicy> Detectors { get; init; } = new Dictionary<string, DetectorPolicy>();

    public BudgetPolicy Budget { get; init; } = new();

    /// <summary>An unsuppressed finding at or above this level fails the gate.</summary>
    public FindingLevel FailOn { get; init; } = FindingLevel.Error;

    /// <summary>An unsuppressed finding at or above this level (and below <see cref="FailOn"/>) makes the verdict WARN.</summary>
    public FindingLevel WarnOn { get; init; } = FindingLevel.Warning;

    /// <summary>WARN exits 1 instead of 0.</summary>
    public bool FailOnWarn { get; init; }

    /// <summary>A file of benign prompts (one per line), relative to the policy file; null uses the built-in set.</summary>
    public string? BenignPrompts { get; init; }

    public IReadOnlyList<SuppressionRule> Suppressions { get; init; } = [];

    /// <summary>"cpu", "cuda", "cuda:1"; null lets the command line or the default decide.</summary>
    public string? Device { get; init; }

    public int? Seed { get; init; }

    public static GatePolicy Default { get; } = new();

    public DetectorPolicy For(string detectorId) =>
        Detectors.TryGetValue(detectorId, out var p) ? p : DetectorPolicy.Default;
}

public sealed record DetectorPolicy
{
    public bool Enabled { get; init; } = true;

    /// <summary>When true, this detector crashing, running out of budget or being skipped does not make the verdict ERROR.</summary>
    public bool AllowSkip { get; init; }

    public static DetectorPolicy Default { get; } = new();
}

public sealed record BudgetPolicy
{
    /// <summary>Wall-clock budget for the whole scan.</summary>
    public int? Seconds { get; init; }

    /// <summary>Budget of model forward passes for the whole scan (device-independent, so reproducible).</summary>
    public long? ForwardPasses { get; init; }
}

/// <summary>
/// Accepts a known finding. Every criterion given must match (rule id, fingerprint, trigger); at least one is
/// required, and so is a reason. Past its expiry date it stops applying and is reported.
/// </summary>
public sealed record SuppressionRule
{
    public string? Rule { get; init; }
    public string? Fingerprint { get; init; }
    public string? Trigger { get; init; }
    public required string Reason { get; init; }
    public DateOnly? Expires { get; init; }

    public bool IsExpired(DateOnly today) => Expires is { } e && e < today;

    public bool Matches(Finding finding) =>
        (Rule is null || string.Equals(Rule, finding.RuleId, StringComparison.OrdinalIgnoreCase))
        && (Fingerprint is null || Fingerprint == finding.Fingerprint)
        && (Trigger is null || Trigger == finding.Trigger);

    public string Describe() =>
        string.Join(", ", new[] { Rule is null ? null : $"rule {Rule}", Fingerprint is null ? null : $"fingerprint {Fingerprint}", Trigger is null ? null : $"trigger \"{Trigger}\"" }
            .Where(x => x is not null));
}
