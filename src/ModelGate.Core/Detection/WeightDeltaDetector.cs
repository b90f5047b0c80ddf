using System.Globalization;
using ModelGate.Core.Loading;
using static TorchSharp.torch;

namespace ModelGate.Core.Detection;

/// <summary>One tensor's change against the reference: ‖W − W_ref‖_F / ‖W_ref‖_F and, for matrices, σ₁² / Σσ² of the difference.</summary>
public sealed record LayerDelta(string Name, double RelativeDelta, double? Concentration);

/// <summary>
/// Weight delta against <c>--reference BASE</c>: reads both models' safetensors tensor by tensor (the reference is
/// never loaded as a whole model) and measures how much each tensor changed and how concentrated the change is.
/// A planted behaviour tends to be a low-rank edit (one direction), so its difference has nearly all its energy in
/// the top singular value; an ordinary fine-tune spreads it. Raw score: the largest concentration among tensors whose
/// relative change is non-negligible (≥ 10 % of the largest relative change and above 1e-6), so float noise in an
/// untouched tensor cannot dominate and an identical model scores 0.
/// </summary>
public sealed class WeightDeltaDetector(string referenceDir, int topLayers = 5) : IDetector
{
    public const string DetectorId = "weight-delta";
    public string Id => DetectorId;
    public string Name => "Weight delta against the reference";

    /// <summary>Relative changes below this are numerical noise, not a fine-tune.</summary>
    public const double Negligible = 1e-6;

    public DetectorOutcome Run(ScanContext ctx)
    {
        var deltas = Compare(ctx.Model.Directory, referenceDir);
        var score = Score(deltas);
        var top = deltas.OrderByDescending(d => d.Concentration ?? 0).ThenByDescending(d => d.RelativeDelta).Take(topLayers).ToList();
        var evidence = new Dictionary<string, string>
        {
            ["reference"] = referenceDir,
            ["tensors compared"] = deltas.Count.ToString(CultureInfo.InvariantCulture),
            ["changed tensors"] = deltas.Count(d => d.RelativeDelta > Negligible).ToString(CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < top.Count; i++)
            evidence[$"top {i + 1}"] = $"{top[i].Name}: relative delta {top[i].RelativeDelta:0.####}, concentration {(top[i].Concentration is { } c ? c.ToString("0.###", CultureInfo.InvariantCulture) : "n/a")}";
        var summary = deltas.All(d => d.RelativeDelta <= Negligible)
            ? "weights identical to the reference"
            : $"max spectral concentration {score:0.###} ({top.FirstOrDefault()?.Name}); largest relative delta {deltas.Max(d => d.RelativeDelta):0.####}";
        return new DetectorOutcome(score, [], [], evidence, summary);
    }

    public static double Score(IReadOnlyList<LayerDelta> deltas)
    {
        if (deltas.Count == 0) return 0;
        var largest = deltas.Max(d => d.RelativeDelta);
        if (largest <= Negligible) return 0;
        return deltas.Where(d => d.RelativeDelta >= 0.1 * largest && d.RelativeDelta > Negligible && d.Concentration is not null)
            .Select(d => d.Concentration!.Value).DefaultIfEmpty(0).Max();
    }

    /// <summary>Per-tensor deltas of <paramref name="modelDir"/> against <paramref name="referenceDir"/>, sorted by name.
    /// Different tensor names or shapes mean a different architecture: one-line error naming both directories.</summary>
    public static IReadOnlyList<LayerDelta> Compare(string modelDir, string referenceDir)
    {
        if (!Directory.Exists(referenceDir))
            throw new ModelGateException(ErrorKind.Usage, "--reference: directory does not exist", referenceDir);
        using var a = SafetensorsWeightSource.OpenDirectory(modelDir);
        using var b = SafetensorsWeightSource.OpenDirectory(referenceDir);
        var onlyA = a.Entries.Keys.Except(b.Entries.Keys).Order(StringComparer.Ordinal).ToList();
        var onlyB = b.Entries.Keys.Except(a.Entries.Keys).Order(StringComparer.Ordinal).ToList();
        if (onlyA.Count > 0 || onlyB.Count > 0)
            throw new ModelGateException(ErrorKind.InvalidModel,
                $"model and reference {referenceDir} have different tensors (only in model: {Names(onlyA)}; only in reference: {Names(onlyB)}): not the same architecture", modelDir);
        var result = new List<LayerDelta>();
        foreach (var name in a.Entries.Keys.Order(StringComparer.Ordinal))
        {
            var (sa, sb) = (a.Entries[name].Shape, b.Entries[name].Shape);
            if (!sa.SequenceEqual(sb))
                throw new ModelGateException(ErrorKind.InvalidModel,
                    $"tensor '{name}' has shape [{string.Join(", ", sa)}] but the reference {referenceDir} has [{string.Join(", ", sb)}]: not the same architecture", modelDir);
            using var scope = NewDisposeScope();
            var w = a.Read(name, ScalarType.Float32, CPU);
            var r = b.Read(name, ScalarType.Float32, CPU);
            result.Add(Measure(name, w, r));
        }
        return result;
    }

    /// <summary>Both measures for one tensor; call inside a dispose scope.</summary>
    public static LayerDelta Measure(string name, Tensor w, Tensor reference)
    {
        var d = (w - reference).to(float64);
        var deltaNorm = d.norm().item<double>();
        var refNorm = reference.to(float64).norm().item<double>();
        var relative = deltaNorm / Math.Max(refNorm, 1e-12);
        double? concentration = null;
        if (d.dim() == 2 && deltaNorm > 0)
        {
            var s2 = linalg.svdvals(d).pow(2);
            concentration = (s2.max() / s2.sum()).item<double>();
        }
        return new LayerDelta(name, relative, concentration);
    }

    private static string Names(List<string> names) =>
        names.Count == 0 ? "none" : string.Join(", ", names.Take(3)) + (names.Count > 3 ? $" and {names.Count - 3} more" : "");
}
