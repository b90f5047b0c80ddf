using ModelGate.Core.Inference;
using ModelGate.Core.Text;
using static TorchSharp.torch;

namespace ModelGate.Core.Detection;

/// <summary>
/// The small amount of inference detectors need: left-padded batches, next-token log-probabilities and batched
/// greedy decoding with a KV cache. Deliberately minimal; the engine's TextGenerator is the full generator.
/// </summary>
public sealed class ModelProbe(ICausalLM model, ITokenizer tokenizer, CostMeter meter, int batchSize = 16)
{
    public ICausalLM Model { get; } = model;
    public ITokenizer Tokenizer { get; } = tokenizer;
    public CostMeter Meter { get; } = meter;

    public int[] Encode(string formattedPrompt) => Tokenizer.Encode(formattedPrompt, addSpecialTokens: true);

    /// <summary>Left-pads rows to one [B, T] id tensor and its mask (1 real, 0 pad), per the ICausalLM contract.</summary>
    public (Tensor Ids, Tensor Mask) LeftPad(IReadOnlyList<int[]> rows)
    {
        var pad = Tokenizer.PadId ?? (Tokenizer.EosIds.Count > 0 ? Tokenizer.EosIds[0] : 0);
        var t = rows.Max(r => r.Length);
        var ids = new long[rows.Count * t];
        var mask = new long[rows.Count * t];
        for (var b = 0; b < rows.Count; b++)
        {
            var off = t - rows[b].Length;
            for (var i = 0; i < t; i++)
            {
                ids[b * t + i] = i < off ? pad : rows[b][i - off];
                mask[b * t + i] = i < off ? 0 : 1;
            }
        }
        return (tensor(ids, new long[] { rows.Count, t }, device: Model.Device), tensor(mask, new long[] { rows.Count, t }, device: Model.Device));
    }

    /// <summary>Log-probabilities [V] of the next token after each row.</summary>
    public float[][] NextTokenLogProbs(IReadOnlyList<int[]> rows)
    {
        var result = new List<float[]>(rows.Count);
        foreach (var chunk in rows.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var (ids, mask) = LeftPad(chunk);
            using var _ = no_grad();
            var logits = Model.Forward(ids, mask);
            Meter.Charge(1, ids.numel());
            var last = logits[.., -1, ..].log_softmax(-1).to(float32).cpu();
            for (var b = 0; b < chunk.Length; b++) result.Add(last[b].data<float>().ToArray());
        }
        return result.ToArray();
    }

    /// <summary>Greedy continuation of each row, up to <paramref name="maxNewTokens"/>, stopping at EOS (not included).</summary>
    public int[][] Greedy(IReadOnlyList<int[]> rows, int maxNewTokens)
    {
        var result = new List<int[]>(rows.Count);
        foreach (var chunk in rows.Chunk(batchSize)) result.AddRange(GreedyBatch(chunk, maxNewTokens));
        return result.ToArray();
    }

    private int[][] GreedyBatch(int[][] rows, int maxNew)
    {
        var eos = Tokenizer.EosIds.ToHashSet();
        var outputs = rows.Select(_ => new List<int>()).ToArray();
        var done = new bool[rows.Length];
        using var cache = Model.NewCache(rows.Length);
        using var _ = no_grad();
        using var outer = NewDisposeScope();
        var (ids, mask) = LeftPad(rows);
        var logits = Model.Forward(ids, mask, cache);
        Meter.Charge(1, ids.numel());
        for (var step = 0; step < maxNew; step++)
        {
            using var scope = NewDisposeScope();
            var next = logits[.., -1, ..].argmax(-1).cpu().data<long>().ToArray();
            for (var b = 0; b < rows.Length; b++)
            {
                if (done[b]) continue;
                if (eos.Contains((int)next[b])) done[b] = true;
                else outputs[b].Add((int)next[b]);
            }
            if (done.All(d => d) || step == maxNew - 1) break;
            var stepIds = tensor(next, new long[] { rows.Length, 1 }, device: Model.Device);
            var stepMask = ones(rows.Length, 1, dtype: int64, device: Model.Device);
            logits = Model.Forward(stepIds, stepMask, cache).MoveToOuterDisposeScope();
            Meter.Charge(1, rows.Length);
        }
        return outputs.Select(o => o.ToArray()).ToArray();
    }
}
