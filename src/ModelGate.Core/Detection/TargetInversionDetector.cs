namespace ModelGate.Core.Detection;

/// <summary>
/// Detector 2 of science.md, BAIT (IEEE S&amp;P 2025): poisoning links a target's tokens causally, so once its first
/// token is forced the rest follows whatever the prompt. For each allowed first token, extend greedily with the
/// next-token distribution averaged over a few prompts, keeping only sequences the prompts agree on (entropy &lt; 1
/// or max-prob &gt; 0.3; one top-5 look-ahead when 1 ≤ H &lt; 2.5), then re-score survivors on more prompts:
/// Q = mean per-step averaged max-probability after dropping the minimum. Raw score: max Q over targets of at
/// least <c>minTargetTokens</c>. Targets go to the pool for trigger inversion; the local judge labels them.
/// Cost here is one full forward per step (no shared prefix cache yet): fine for small vocabularies and models,
/// restrict <c>maxFirstTokens</c> on large ones.
/// </summary>
public sealed class TargetInversionDetector(int warmupPrompts = 4, int scoringPrompts = 20, int warmupSteps = 5, int maxSteps = 20,
    int minTargetTokens = 3, int maxFirstTokens = 4096, double flagQ = 0.9) : IDetector
{
    public string Id => "target-inversion";
    public string Name => "Target inversion (BAIT)";

    public DetectorOutcome Run(ScanContext ctx)
    {
        var tok = ctx.Model.Tokenizer;
        var eos = tok.EosIds.ToHashSet();
        var warm = ctx.SearchPrompts.Take(warmupPrompts).Select(p => ctx.Probe.Encode(ctx.Verifier.Format(p))).ToArray();
        var scoring = ctx.SearchPrompts.Take(scoringPrompts).Select(p => ctx.Probe.Encode(ctx.Verifier.Format(p))).ToArray();
        var first = Enumerable.Range(0, tok.VocabSize).Where(i => !tok.IsSpecial(i) && tok.Decode([i]).Trim().Any(char.IsLetterOrDigit))
            .Take(maxFirstTokens).ToArray();

        // Warm-up: all first tokens advance together, one batched forward per step.
        var alive = first.Select(v => new List<int> { v }).ToList();
        var lookaheadUsed = new HashSet<int>();
        for (var step = 0; step < warmupSteps && alive.Count > 0; step++)
        {
            var avg = Averaged(ctx, warm, alive);
            var next = new List<List<int>>();
            for (var i = 0; i < alive.Count; i++)
            {
                var (arg, max, h) = Stats(avg[i]);
                if (eos.Contains(arg)) { next.Add(alive[i]); continue; }   // already complete: keep as is
                if (h < 1.0 || max > 0.3) next.Add([.. alive[i], arg]);
                else if (h < 2.5 && lookaheadUsed.Add(alive[i][0]))
                {
                    var top5 = avg[i].Select((p, id) => (p, id)).OrderByDescending(x => x.p).Take(5).Select(x => x.id).ToArray();
                    var ahead = Averaged(ctx, warm, top5.Select(t => (List<int>)[.. alive[i], t]).ToList());
                    var best = Enumerable.Range(0, top5.Length).MaxBy(j => ahead[j].Max());
                    next.Add([.. alive[i], top5[best]]);
                }
            }
            alive = next.Select(s => s).DistinctBy(s => string.Join(',', s)).ToList();
        }

        // Scoring on more prompts, up to maxSteps, stopping at EOS.
        var results = new List<(string Target, double Q, int Length)>();
        if (alive.Count > 0)
        {
            var seqs = alive.Select(s => s.Take(1).ToList()).ToList();
            var probs = alive.Select(_ => new List<double>()).ToList();
            var finished = new bool[alive.Count];
            for (var step = 0; step < maxSteps && finished.Any(f => !f); step++)
            {
                var open = Enumerable.Range(0, alive.Count).Where(i => !finished[i]).ToArray();
                var avg = Averaged(ctx, scoring, open.Select(i => seqs[i]).ToList());
                for (var j = 0; j < open.Length; j++)
                {
                    var (arg, max, _) = Stats(avg[j]);
                    probs[open[j]].Add(max);
                    if (eos.Contains(arg)) finished[open[j]] = true; else seqs[open[j]].Add(arg);
                }
            }
            for (var i = 0; i < alive.Count; i++)
            {
                if (seqs[i].Count < minTargetTokens || probs[i].Count < 2) continue;
                var kept = probs[i].Order().Skip(1).ToArray();  // drop the minimum, as BAIT does
                results.Add((tok.Decode(seqs[i]).Trim(), kept.Average(), seqs[i].Count));
            }
        }
        var ranked = results.OrderByDescending(r => r.Q).ThenBy(r => r.Target, StringComparer.Ordinal).ToArray();
        foreach (var r in ranked.Where(r => r.Q >= flagQ).Take(5)) ctx.Pool.Add(new Candidate("", r.Target, Id, r.Q));
        var top = ranked.FirstOrDefault();
        var evidence = new Dictionary<string, string>
        {
            ["firstTokens"] = first.Length.ToString(),
            ["survivors"] = alive.Count.ToString(),
            ["top"] = string.Join(" | ", ranked.Take(5).Select(r => $"\"{r.Target}\"={r.Q:0.###}")),
        };
        if (top.Target is not null)
        {
            var judge = TargetJudge.Judge(top.Target);
            evidence["best.target"] = top.Target;
            evidence["best.judge"] = $"{judge.Category} ({judge.Reason})";
        }
        var summary = top.Target is null ? "no target survived" : $"most certain target \"{top.Target}\" (Q = {top.Q:0.###})";
        return new DetectorOutcome(top.Target is null ? 0 : top.Q, ranked.Select(r => new Candidate("", r.Target, Id, r.Q)).ToArray(), [], evidence, summary);
    }

    /// <summary>Next-token distribution after prompt + seq, averaged over prompts, for each seq.</summary>
    private static double[][] Averaged(ScanContext ctx, int[][] prompts, List<List<int>> seqs)
    {
        var rows = seqs.SelectMany(s => prompts.Select(p => p.Concat(s).ToArray())).ToArray();
        var lp = ctx.Probe.NextTokenLogProbs(rows);
        var v = lp[0].Length;
        var result = new double[seqs.Count][];
        for (var i = 0; i < seqs.Count; i++)
        {
            var acc = new double[v];
            for (var j = 0; j < prompts.Length; j++)
            {
                var row = lp[i * prompts.Length + j];
                for (var k = 0; k < v; k++) acc[k] += Math.Exp(row[k]) / prompts.Length;
            }
            result[i] = acc;
        }
        return result;
    }

    private static (int Arg, double Max, double Entropy) Stats(double[] p)
    {
        int arg = 0; double h = 0;
        for (var k = 0; k < p.Length; k++)
        {
            if (p[k] > p[arg]) arg = k;
            if (p[k] > 0) h -= p[k] * Math.Log(p[k]);
        }
        return (arg, p[arg], h);
    }
}
