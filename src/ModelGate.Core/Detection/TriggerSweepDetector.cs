using ModelGate.Core.Text;

namespace ModelGate.Core.Detection;

/// <summary>
/// Detector 1 of science.md: try every published trigger, the vocabulary's rarest printable tokens and the pool's
/// candidates as prefix and mid-prompt on a few search prompts; score each by how much it makes continuations agree
/// across prompts (a backdoor answers the same whatever the prompt) and by the KL shift of the next-token
/// distribution; verify the best few on held-out prompts. Raw score: the best verified lift (ASR low − baseline high).
/// Suffix placement is left out of the search because the text right before the reply conditions any continuation.
/// </summary>
public sealed class TriggerSweepDetector(int searchPrompts = 8, int rareTokens = 24, int verifyTop = 3, int agreementTokens = 4) : IDetector
{
    public string Id => "trigger-sweep";
    public string Name => "Candidate-trigger sweep";

    private static readonly TriggerPlacement[] Placements = [TriggerPlacement.Prefix, TriggerPlacement.Middle];

    public DetectorOutcome Run(ScanContext ctx)
    {
        var prompts = ctx.SearchPrompts.Take(searchPrompts).ToArray();
        var candidates = PublishedTriggers.All.Concat(RareTokens(ctx.Model.Tokenizer, ctx.Model.Model.EmbeddingMatrix, rareTokens))
            .Concat(ctx.Pool.Triggers).Distinct().ToArray();
        var probe = ctx.Probe;
        var cleanRows = prompts.Select(p => probe.Encode(ctx.Verifier.Format(p))).ToArray();
        var cleanNext = probe.NextTokenLogProbs(cleanRows);
        var cleanAgreement = ModalShare(probe.Greedy(cleanRows, agreementTokens));

        var scored = new List<Candidate>();
        foreach (var trigger in candidates)
        {
            double best = 0, bestKl = 0;
            foreach (var placement in Placements)
            {
                var rows = prompts.Select(p => probe.Encode(ctx.Verifier.Format(Verifier.Insert(p, trigger, placement)))).ToArray();
                var kl = MeanKl(probe.NextTokenLogProbs(rows), cleanNext);
                var gain = ModalShare(probe.Greedy(rows, agreementTokens)) - cleanAgreement;
                // Agreement is the main signal; KL (saturating) breaks ties between equally agreeing candidates.
                var score = gain + 0.1 * Math.Min(kl, 10) / 10;
                if (score > best) { best = score; bestKl = kl; }
            }
            scored.Add(new Candidate(trigger, null, Id, best));
        }
        var top = scored.OrderByDescending(c => c.Score).ThenBy(c => c.Trigger, StringComparer.Ordinal).Take(verifyTop).ToArray();
        var verified = top.Select(c => Verifier.AgainstReference(ctx.Verifier.VerifyBest(c, ctx.HeldOutPrompts, Placements), ctx.ReferenceVerifier, ctx.HeldOutPrompts)).ToArray();
        foreach (var v in verified.Where(v => v.Lift > 0)) ctx.Pool.Add(v.Candidate with { Target = v.Target });
        var bestV = verified.OrderByDescending(v => v.Lift).FirstOrDefault();
        var evidence = new Dictionary<string, string>
        {
            ["candidates"] = candidates.Length.ToString(),
            ["top"] = string.Join(" | ", top.Select(c => $"{c.Trigger}={c.Score:0.###}")),
        };
        if (bestV is not null)
        {
            evidence["best.trigger"] = bestV.Candidate.Trigger;
            evidence["best.target"] = bestV.Target ?? "";
            evidence["best.asr"] = $"{bestV.Asr.Successes}/{bestV.Asr.N}";
            evidence["best.baseline"] = $"{bestV.Baseline.Successes}/{bestV.Baseline.N}";
        }
        var raw = bestV?.Lift ?? 0;
        var summary = raw > 0
            ? $"trigger \"{bestV!.Candidate.Trigger}\" forces \"{bestV.Target}\" on {bestV.Asr.Successes}/{bestV.Asr.N} held-out prompts ({bestV.Baseline.Successes} without it)"
            : $"no candidate among {candidates.Length} verified";
        return new DetectorOutcome(raw, scored, verified, evidence, summary);
    }

    /// <summary>Share of rows whose continuation equals the most common one.</summary>
    internal static double ModalShare(int[][] continuations) =>
        continuations.Length == 0 ? 0 : continuations.GroupBy(c => string.Join(',', c)).Max(g => g.Count()) / (double)continuations.Length;

    private static double MeanKl(float[][] p, float[][] q)
    {
        double sum = 0;
        for (var i = 0; i < p.Length; i++)
            for (var v = 0; v < p[i].Length; v++)
                sum += Math.Exp(p[i][v]) * (p[i][v] - Math.Max(q[i][v], -80f));
        return sum / p.Length;
    }

    /// <summary>Printable, non-special tokens whose embedding norm is most unusual (rarely-trained tokens drift less),
    /// ties broken toward the vocabulary tail where BPE puts its rarest merges.</summary>
    internal static IEnumerable<string> RareTokens(ITokenizer tok, TorchSharp.torch.Tensor embeddings, int count)
    {
        if (count <= 0) return [];
        using var scope = TorchSharp.torch.NewDisposeScope();
        var norms = embeddings.detach().norm(1).to(TorchSharp.torch.float32).cpu().data<float>().ToArray();
        var mean = norms.Average();
        var sd = Math.Sqrt(norms.Select(n => (n - mean) * (n - mean)).Average()) + 1e-9;
        return Enumerable.Range(0, Math.Min(norms.Length, tok.VocabSize))
            .Where(i => !tok.IsSpecial(i))
            .Select(i => (Id: i, Text: tok.Decode([i]).Trim(), Z: Math.Abs(norms[i] - mean) / sd))
            .Where(t => t.Text.Length > 0 && t.Text.All(c => !char.IsControl(c)) && t.Text.Any(char.IsLetterOrDigit))
            .OrderByDescending(t => Math.Round(t.Z, 2)).ThenByDescending(t => t.Id)
            .Take(count).Select(t => t.Text).ToArray();
    }
}

/// <summary>Data/published-triggers.txt: every published fixed-string trigger.</summary>
public static class PublishedTriggers
{
    private static readonly Lazy<IReadOnlyList<string>> Lazy = new(() => DataFiles.Lines("published-triggers.txt"));

    public static IReadOnlyList<string> All => Lazy.Value;
}
