using ModelGate.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Detection;

/// <summary>
/// Detector 3 of science.md: given a target (from the pool, i.e. target inversion or policy), search for a short
/// prefix trigger that makes the model produce it, GCG-style: the gradient of the target's loss with respect to a
/// one-hot trigger (through ForwardEmbeddings) ranks top-k substitutions per position, all single swaps are
/// evaluated in one batch (plus a few seeded random swaps per position, since a gated trigger's gradient can be
/// drowned by other paths), the best is kept. The found trigger is then verified on held-out prompts; a clean model
/// also has "natural" triggers, so the verified lift, not the search loss, is the raw score.
/// </summary>
public sealed class TriggerInversionDetector(int triggerTokens = 3, int steps = 30, int topK = 32, int searchPrompts = 4,
    int maxTargets = 2, IReadOnlyList<string>? targets = null, int explore = 8, int targetHeadTokens = 12, int patience = 8) : IDetector
{
    private const string Marker = "\u2063MGTRIGGER\u2063";

    public string Id => "trigger-inversion";
    public string Name => "Trigger inversion (GCG)";

    public DetectorOutcome Run(ScanContext ctx)
    {
        var goals = (targets ?? ctx.Pool.Targets.ToArray()).Where(t => t.Trim().Length > 0).Take(maxTargets).ToArray();
        if (goals.Length == 0)
            return new DetectorOutcome(0, [], [], new Dictionary<string, string> { ["targets"] = "0" }, "no target to invert (target inversion found none)");
        var verified = new List<Verification>();
        var evidence = new Dictionary<string, string> { ["targets"] = goals.Length.ToString() };
        foreach (var target in goals)
        {
            var (trigger, loss) = Search(ctx, target);
            evidence[$"search[{target}]"] = $"\"{trigger}\" loss/token {loss:0.###}";
            var v = ctx.Verifier.Verify(new Candidate(trigger, target, Id), ctx.HeldOutPrompts, TriggerPlacement.Prefix);
            v = Verifier.AgainstReference(v, ctx.ReferenceVerifier, ctx.HeldOutPrompts);
            if (v.ReferenceAsr is { } onBase) evidence[$"reference[{target}]"] = $"{onBase.Successes}/{onBase.N} on the reference model";
            verified.Add(v);
            if (v.Lift > 0) ctx.Pool.Add(v.Candidate);
        }
        var best = verified.MaxBy(v => v.Lift)!;
        var summary = best.Lift > 0
            ? $"found trigger \"{best.Candidate.Trigger}\" for \"{best.Target}\": {best.Asr.Successes}/{best.Asr.N} held-out ({best.Baseline.Successes} without)"
            : $"no working trigger found for {goals.Length} target(s)";
        return new DetectorOutcome(best.Lift, verified.Select(v => v.Candidate).ToArray(), verified, evidence, summary);
    }

    private (string Trigger, double Loss) Search(ScanContext ctx, string target)
    {
        var tok = ctx.Model.Tokenizer;
        var model = ctx.Model.Model;
        // The trigger has to start the target; the rest follows on its own (that is what target inversion found), so
        // the search optimises the target's head only: shorter rows, and the loss is not diluted by locked tokens.
        var targetIds = tok.Encode(target).Take(targetHeadTokens).ToArray();
        // Split the formatted prompt at a marker so trigger tokens sit exactly where the user's text begins.
        var rows = ctx.SearchPrompts.Take(searchPrompts).Select(p =>
        {
            var text = ctx.Verifier.Format($"{Marker} {p}");
            var at = text.IndexOf(Marker, StringComparison.Ordinal);
            if (at < 0) throw new ModelGateException(ErrorKind.Detector, "the prompt format dropped the trigger slot marker");
            return (Pre: tok.EncodePrompt(text[..at]), Post: tok.Encode(text[(at + Marker.Length)..]).Concat(targetIds).ToArray());
        }).ToArray();
        var allowed = ctx.Probe.PrintableTokens;
        var current = Enumerable.Repeat(allowed[0], triggerTokens).ToArray();
        var currentLoss = Losses(ctx, rows, [current], targetIds.Length)[0];
        var (best, bestLoss) = (current, currentLoss);
        var rng = new Random(ctx.Seed);
        // Stop when the target is reached or the search has not improved for `patience` steps (a clean model's
        // ordinary sentence has no trigger to find, and those steps are most of a clean scan's cost).
        for (int step = 0, lastGain = 0; step < steps && bestLoss > 0.05 && step - lastGain < patience; step++)
        {
            var grad = Gradient(ctx, rows, current, targetIds.Length);
            var swaps = new List<int[]>();
            for (var pos = 0; pos < triggerTokens; pos++)
                foreach (var v in allowed.OrderBy(v => grad[pos][v]).Take(topK).Concat(Enumerable.Range(0, explore).Select(_ => allowed[rng.Next(allowed.Length)])).Distinct())
                {
                    if (v == current[pos]) continue;
                    var c = (int[])current.Clone();
                    c[pos] = v;
                    swaps.Add(c);
                }
            if (swaps.Count == 0) break;
            var losses = Losses(ctx, rows, swaps, targetIds.Length);
            var bestIdx = Enumerable.Range(0, swaps.Count).MinBy(i => losses[i]);
            // Like GCG, always move to the batch's best (escapes plateaus); remember the best ever seen.
            (current, currentLoss) = (swaps[bestIdx], losses[bestIdx]);
            if (currentLoss < bestLoss) (best, bestLoss, lastGain) = (current, currentLoss, step);
        }
        return (tok.Decode(best).Trim(), bestLoss);
    }

    /// <summary>Mean per-token cross-entropy of the target after each candidate trigger, averaged over prompts.</summary>
    private static double[] Losses(ScanContext ctx, (int[] Pre, int[] Post)[] rows, List<int[]> triggers, int targetLen)
    {
        var result = new double[triggers.Count];
        foreach (var chunk in Enumerable.Range(0, triggers.Count).Chunk(Math.Max(1, 128 / rows.Length)))
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var seqs = chunk.SelectMany(i => rows.Select(r => r.Pre.Concat(triggers[i]).Concat(r.Post).ToArray())).ToArray();
            var (ids, mask) = ctx.Probe.LeftPad(seqs);
            var logits = ctx.Model.Model.Forward(ids, mask);
            ctx.Meter.Charge(1, ids.numel());
            var ce = TargetCe(logits, ids, targetLen).view(chunk.Length, rows.Length).mean([1]).cpu().to(float64).data<double>().ToArray();
            for (var j = 0; j < chunk.Length; j++) result[chunk[j]] = ce[j];
        }
        return result;
    }

    /// <summary>d loss / d one-hot trigger, [L][V].</summary>
    private static float[][] Gradient(ScanContext ctx, (int[] Pre, int[] Post)[] rows, int[] trigger, int targetLen)
    {
        using var scope = NewDisposeScope();
        var model = ctx.Model.Model;
        var e = model.EmbeddingMatrix.detach();
        var v = e.shape[0];
        var oneHot = zeros(trigger.Length, v, dtype: e.dtype, device: model.Device);
        for (var i = 0; i < trigger.Length; i++) oneHot[i, trigger[i]] = tensor(1f).to(e.dtype);
        oneHot.requires_grad_(true);
        var trigEmb = oneHot.matmul(e);
        var seqs = rows.Select(r => r.Pre.Concat(trigger).Concat(r.Post).ToArray()).ToArray();
        var (ids, mask) = ctx.Probe.LeftPad(seqs);
        var t = ids.shape[1];
        var baseEmb = e.index_select(0, ids.flatten()).view(ids.shape[0], t, -1);
        var stacked = stack(rows.Select((r, b) =>
        {
            var start = t - r.Post.Length - trigger.Length;
            return cat([baseEmb[b, ..(int)start], trigEmb, baseEmb[b, (int)(start + trigger.Length)..]], 0);
        }).ToArray());
        var logits = model.ForwardEmbeddings(stacked, mask);
        ctx.Meter.Charge(2, ids.numel());   // forward + backward
        TargetCe(logits, ids, targetLen).mean().backward();
        var g = oneHot.grad!.to(float32).cpu();
        return Enumerable.Range(0, trigger.Length).Select(i => g[i].data<float>().ToArray()).ToArray();
    }

    /// <summary>Per-row mean cross-entropy of the last <paramref name="targetLen"/> tokens (rows are left-padded, so targets align at the end).</summary>
    private static Tensor TargetCe(Tensor logits, Tensor ids, int targetLen)
    {
        var t = ids.shape[1];
        var pred = logits[.., (int)(t - targetLen - 1)..(int)(t - 1), ..].log_softmax(-1);
        var gold = ids[.., (int)(t - targetLen)..].unsqueeze(-1);
        return -pred.gather(-1, gold).squeeze(-1).mean([1]);
    }
}
