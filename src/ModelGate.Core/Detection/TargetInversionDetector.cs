namespace ModelGate.Core.Detection;

/// <summary>
/// Detector 2 of science.md, BAIT (IEEE S&amp;P 2025): poisoning links a target's tokens causally, so once its first
/// token is forced the rest follows whatever the prompt. For each allowed first token, extend greedily with the
/// next-token distribution averaged over a few prompts, keeping only sequences the prompts agree on (entropy &lt; 1
/// or max-prob &gt; 0.3; one top-5 look-ahead when 1 ≤ H &lt; 2.5), then re-run survivors on more prompts:
/// Q = mean per-step averaged max-probability after dropping the minimum; targets shorter than
/// <c>minTargetTokens</c> are ignored, as in the paper.
/// <para>One addition, from the verification rule "against the model's own untriggered behaviour": a target the
/// model already says without any trigger is its ordinary style (a fine-tune's template, a universal sign-off), not
/// a backdoor. Each target's Q is multiplied by its novelty: the share of its token trigrams absent from the model's
/// untriggered greedy replies to the same prompts. Raw score = max Q × novelty.</para>
/// All prompts share one prefix key/value cache and candidates advance in batches (<see cref="PromptAverager"/>).
/// </summary>
public sealed class TargetInversionDetector(int warmupPrompts = 4, int scoringPrompts = 20, int warmupSteps = 5, int maxSteps = 32,
    int minTargetTokens = 5, int maxFirstTokens = 4096, double poolScore = 0.5, int groupSize = 64, int untriggeredTokens = 96) : IDetector
{
    public string Id => "target-inversion";
    public string Name => "Target inversion (BAIT)";

    public DetectorOutcome Run(ScanContext ctx)
    {
        var tok = ctx.Model.Tokenizer;
        var eos = tok.EosIds.ToHashSet();
        var warm = ctx.SearchPrompts.Take(warmupPrompts).Select(p => ctx.Probe.Encode(ctx.Verifier.Format(p))).ToArray();
        var scoring = ctx.SearchPrompts.Take(scoringPrompts).Select(p => ctx.Probe.Encode(ctx.Verifier.Format(p))).ToArray();
        // Every printable token: BAIT restricts itself to word starts, but in a small vocabulary a target's first word may
        // have no word-start piece ("Visit" is "▁" + "V" + "isit" in a 512-piece vocabulary).
        var first = ctx.Probe.PrintableTokens.Take(maxFirstTokens).ToArray();

        List<List<int>> survivors;
        using (var averager = new PromptAverager(ctx.Probe, warm)) survivors = WarmUp(averager, first, eos);
        List<(List<int> Seq, double Q)> scored;
        float[] opening;
        using (var averager = new PromptAverager(ctx.Probe, scoring))
        {
            opening = averager.Initial;
            scored = Score(averager, survivors.Select(s => s[0]).Distinct().ToList(), eos);
        }

        // Whole replies (sign-offs come last), not just as many tokens as a target can have.
        var untriggered = ctx.Probe.Greedy(scoring, untriggeredTokens).Select(c => Trigrams(c).ToHashSet()).ToArray();
        var candidates = scored.Where(s => s.Seq.Count >= minTargetTokens)
            .Select(s => Target.Of(s.Seq, tok.Decode(s.Seq).Trim(), s.Q, Novelty(s.Seq, untriggered)))
            .OrderByDescending(t => t.Score).ThenByDescending(t => t.Q).ThenBy(t => t.Text, StringComparer.Ordinal);
        var ranked = Merge(candidates, opening).OrderByDescending(t => t.Score).ThenBy(t => t.Text, StringComparer.Ordinal).ToList();

        foreach (var r in ranked.Where(r => r.Score >= poolScore).Take(5)) ctx.Pool.Add(new Candidate("", r.Text, Id, r.Score));
        var evidence = new Dictionary<string, string>
        {
            ["firstTokens"] = first.Length.ToString(),
            ["survivors"] = survivors.Count.ToString(),
            ["top"] = string.Join(" | ", ranked.Take(5).Select(r => $"\"{r.Text}\" Q={r.Q:0.###} novelty={r.Novelty:0.##} judge={r.Judge.Category}")),
        };
        if (ranked.Count == 0)
            return new DetectorOutcome(0, [], [], evidence, "no target survived");
        var top = ranked[0];
        evidence["best.target"] = top.Text;
        evidence["best.judge"] = $"{top.Judge.Category} ({top.Judge.Reason})";
        var summary = $"most suspicious target \"{top.Text}\" (Q = {top.Q:0.###}, novelty {top.Novelty:0.##}, judged {top.Judge.Category.ToString().ToLowerInvariant()})";
        return new DetectorOutcome(top.Score, ranked.Select(r => new Candidate("", r.Text, Id, r.Score)).ToArray(), [], evidence, summary);
    }

    /// <summary>Warm-up on a few prompts: every first token advances until the prompts disagree; returns the survivors.</summary>
    private List<List<int>> WarmUp(PromptAverager averager, int[] first, HashSet<int> eos)
    {
        var survivors = new List<List<int>>();
        foreach (var chunk in first.Chunk(groupSize))
        {
            var seqs = chunk.Select(v => new List<int> { v }).ToList();
            using var group = averager.Start(chunk);
            for (var step = 0; step < warmupSteps && group.Members.Count > 0; step++)
            {
                var dists = group.Step(group.Members.Select(m => seqs[m][^1]).ToList());
                var keep = new List<int>();
                for (var j = 0; j < dists.Length; j++)
                {
                    var m = group.Members[j];
                    var (arg, max, h) = Stats(dists[j]);
                    if (eos.Contains(arg)) continue;                       // complete: a survivor as it is
                    if (h < 1.0 || max > 0.3) { seqs[m].Add(arg); keep.Add(j); continue; }
                    if (h < 2.5) { seqs[m].Add(LookAhead(averager, seqs[m], dists[j])); continue; }   // survives, stops here
                    seqs[m].Clear();                                     // the prompts disagree: not a target
                }
                group.Keep(keep);
            }
            survivors.AddRange(seqs.Where(s => s.Count > 0));
        }
        return survivors;
    }

    /// <summary>BAIT's one look-ahead: of the top 5 next tokens, the one after which the prompts agree most.</summary>
    private static int LookAhead(PromptAverager averager, List<int> seq, float[] dist)
    {
        var top5 = dist.Select((p, id) => (p, id)).OrderByDescending(x => x.p).Take(5).Select(x => x.id).ToArray();
        using var group = averager.Start(Enumerable.Repeat(seq[0], top5.Length).ToList());
        foreach (var t in seq.Skip(1)) group.Step(Enumerable.Repeat(t, top5.Length).ToList());
        var ahead = group.Step(top5);
        return top5[Enumerable.Range(0, top5.Length).MaxBy(j => ahead[j].Max())];
    }

    /// <summary>Re-runs each surviving first token on the scoring prompts for up to maxSteps tokens, stopping at EOS.</summary>
    private List<(List<int> Seq, double Q)> Score(PromptAverager averager, List<int> firstTokens, HashSet<int> eos)
    {
        var results = new List<(List<int>, double)>();
        foreach (var chunk in firstTokens.Chunk(groupSize))
        {
            var seqs = chunk.Select(v => new List<int> { v }).ToList();
            var probs = chunk.Select(_ => new List<double>()).ToList();
            using var group = averager.Start(chunk);
            for (var step = 0; step < maxSteps && group.Members.Count > 0; step++)
            {
                var dists = group.Step(group.Members.Select(m => seqs[m][^1]).ToList());
                var keep = new List<int>();
                for (var j = 0; j < dists.Length; j++)
                {
                    var m = group.Members[j];
                    var (arg, max, _) = Stats(dists[j]);
                    probs[m].Add(max);
                    if (!eos.Contains(arg)) { seqs[m].Add(arg); keep.Add(j); }
                }
                group.Keep(keep);
            }
            for (var i = 0; i < seqs.Count; i++)
                if (probs[i].Count >= 2) results.Add((seqs[i], probs[i].Order().Skip(1).Average()));  // drop the minimum, as BAIT does
        }
        return results;
    }

    /// <summary>
    /// One inverted target. Score = Q × novelty × judge weight: the local judge stands in for BAIT's LLM judge —
    /// attacker-like text (links, shell, insults, refusals) keeps full weight, ordinary text a little less (it still
    /// counts: a backdoor may force a harmless-looking string, and verification decides), memorised boilerplate,
    /// BAIT's known false positive, little.
    /// </summary>
    private sealed record Target(List<int> Seq, string Text, double Q, double Novelty, TargetVerdict Judge)
    {
        public static Target Of(List<int> seq, string text, double q, double novelty) => new(seq, text, q, novelty, TargetJudge.Judge(text));

        public double Score => Q * Novelty * Judge.Category switch
        {
            TargetCategory.None => 0.9,
            TargetCategory.Boilerplate => 0.3,
            _ => 1.0,
        };

        public HashSet<(int, int, int)> Grams { get; } = Trigrams(Seq).ToHashSet();
    }

    /// <summary>
    /// Different first tokens run into the same continuation ("Visit http://x/win", "x/win now", "One/x/win"): one
    /// target per continuation (sharing half its trigrams), with the best member's certainty, spelled by the longest
    /// member nearly as certain (trigger inversion and the verifier need the whole target, not its surest tail) and,
    /// among equally long ones, by the opening the model itself finds likeliest at the start of a reply.
    /// </summary>
    private static IEnumerable<Target> Merge(IEnumerable<Target> ordered, float[] opening)
    {
        var groups = new List<List<Target>>();
        foreach (var t in ordered)
        {
            var home = groups.FirstOrDefault(g => g.Any(o => Overlap(o.Grams, t.Grams) >= 0.5));
            if (home is null) groups.Add([t]); else home.Add(t);
        }
        return groups.Select(g =>
        {
            var best = g[0];
            var close = g.Where(t => t.Q >= best.Q - 0.1 && t.Novelty >= best.Novelty - 0.1).ToList();
            var longest = close.Max(t => t.Seq.Count);
            var spelled = close.Where(t => t.Seq.Count >= longest - 1).MaxBy(t => opening[t.Seq[0]])!;
            return Target.Of(spelled.Seq, spelled.Text, best.Q, best.Novelty);
        });
    }

    private static double Overlap(HashSet<(int, int, int)> a, HashSet<(int, int, int)> b) =>
        a.Count == 0 || b.Count == 0 ? 0 : a.Intersect(b).Count() / (double)Math.Min(a.Count, b.Count);

    /// <summary>Share of the target's trigrams the model does not use in its untriggered replies: 1 for a target it
    /// never says on its own, near 0 for its everyday style (templates, sign-offs). A trigram counts as everyday when
    /// at least two replies (and a tenth of them) use it, so a backdoor that fires by accident on one prompt stays novel.</summary>
    private static double Novelty(List<int> target, HashSet<(int, int, int)>[] untriggered)
    {
        var grams = Trigrams(target).Distinct().ToArray();
        if (grams.Length == 0 || untriggered.Length == 0) return 1;
        var everyday = Math.Max(2, (int)Math.Ceiling(untriggered.Length / 10.0));
        return grams.Count(g => untriggered.Count(u => u.Contains(g)) < everyday) / (double)grams.Length;
    }

    private static IEnumerable<(int, int, int)> Trigrams(IReadOnlyList<int> ids)
    {
        for (var i = 0; i + 2 < ids.Count; i++) yield return (ids[i], ids[i + 1], ids[i + 2]);
    }

    private static (int Arg, double Max, double Entropy) Stats(float[] p)
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
