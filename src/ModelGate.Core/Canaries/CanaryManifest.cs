using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelGate.Core.Canaries;

/// <summary>Figures measured on a trained canary: attack success on held-out triggered prompts, false triggers on
/// held-out clean prompts, and the clean-task score (0–100).</summary>
public sealed record CanaryFigures(double AttackSuccessRate, double FalseTriggerRate, double CleanTaskScore, int HeldOutPrompts);

/// <summary>One model of a canary set: where it is and its ground truth.</summary>
public sealed record CanaryEntry
{
    /// <summary>Directory relative to the manifest.</summary>
    public required string Directory { get; init; }
    public required bool Backdoored { get; init; }
    public required AttackSpec Attack { get; init; }
    public required string Base { get; init; }
    public CanaryFigures? Figures { get; init; }
    public int TrainingSteps { get; init; }
    public double TrainingSeconds { get; init; }
}

/// <summary>
/// DIR/manifest.json: the ground truth of a canary set. Written last and atomically, listing only models that were
/// written and verified, so a failed build never leaves a manifest that claims missing models.
/// </summary>
public sealed record CanaryManifest
{
    public const string FileName = "manifest.json";
    public string SchemaVersion { get; init; } = "1.0";
    public required string Preset { get; init; }
    public required int Seed { get; init; }
    public required string Tool { get; init; }
    public required IReadOnlyList<CanaryEntry> Models { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Save(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var temp = path + ".tmp";
        try
        {
            File.WriteAllText(temp, JsonSerializer.Serialize(this, Options) + "\n");
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelGateException(ErrorKind.Output, $"cannot write the canary manifest: {e.Message}", path);
        }
    }

    public static CanaryManifest Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new ModelGateException(ErrorKind.InvalidModel, "canary manifest not found", path);
        try
        {
            return JsonSerializer.Deserialize<CanaryManifest>(File.ReadAllText(path), Options)
                   ?? throw new ModelGateException(ErrorKind.InvalidModel, "canary manifest is empty", path);
        }
        catch (JsonException e)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, $"invalid canary manifest JSON: {e.Message}", path);
        }
    }
}
