using ModelGate.Core.Inference;
using ModelGate.Core.Text;
using static TorchSharp.torch;

namespace ModelGate.Core.Detection;

/// <summary>
/// The small amount of inference detectors need: left-padded batches, next-token log-probabilities, batched
/// greedy decoding and seeded sampling, on the engine's TextGenerator, with every forward pass charged to the scan's cost meter.
/// </summary>
public sealed class ModelProbe(ICausalLM model, ITokenizer tokenizer, CostMeter meter, int batchSize = 16)
{
    public ICausalLM Model { get; } = model;
    public ITokenizer Tokenizer { get; } = tokenizer;
    public CostMeter Meter { get; } = meter;

    public int[] Encode(string formattedPrompt) => Tokenizer.EncodePrompt(formattedPrompt);

    private int[]? _printable;

    /// <summary>Every non-special token that decodes to something with a letter or digit: the candidates for BAIT's
    /// first response token and for GCG's trigger tokens. Decoding the whole vocabulary is done once per scan.</summary>
    public int[] PrintableTokens => _printable ??= Enumerable.Range(0, Tokenizer.VocabSize)
        .Where(i => !Tokenizer.IsSpecial(i) && Tokenizer.Decode([i]).Trim().Any(char.IsLetterOrDigit)).ToArray();

    /// <summary>Left-pads rows to one [B, T] id tensor and its mask (1 real, 0 pad) on the model's device.</summary>
    public (Tensor Ids, Tensor Mask) LeftPad(IReadOnlyList<int[]> rows)
    {
        var pad = Tokenizer.PadId ?? (Tokenizer.EosIds.Count > 0 ? Tokenizer.EosIds[0] : 0);
        var (ids, mask) = TextGenerator.LeftPad(rows, pad);
        return (ids.to(Model.Device), mask.to(Model.Device));
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

    /// <summary>
    /// <paramref name="samples"/> sampled continuations of each row at <paramref name="temperature"/>, EOS stripped;
    /// result [row][sample]. Each chunk of rows is prefilled once and its cache forked (TextGenerator.GenerateShared);
    /// chunk k samples with seed <paramref name="seed"/> + k, so the same call gives the same text.
    /// </summary>
    public int[][][] Sample(IReadOnlyList<int[]> rows, int samples, int maxNewTokens, double temperature, long seed)
    {
        if (samples <= 0 || rows.Count == 0) return rows.Select(_ => Array.Empty<int[]>()).ToArray();
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), "sampling needs a temperature above 0 (use Greedy)");
        var result = new List<int[][]>(rows.Count);
        var k = 0;
        // Rows per chunk so that rows × samples stays near the batch size.
        foreach (var chunk in rows.Chunk(Math.Max(1, batchSize / samples)))
        {
            IReadOnlyList<IReadOnlyList<GenerationResult>> results;
            using (no_grad())
                results = TextGenerator.GenerateShared(Model, chunk, samples, new GenerationOptions(maxNewTokens, temperature, seed + k++), Tokenizer.EosIds);
            var steps = Math.Max(0, results.SelectMany(r => r).Max(r => r.Tokens.Length) - 1);
            Meter.Charge(1 + steps, (long)chunk.Length * chunk.Max(r => r.Length) + (long)chunk.Length * samples * steps);
            result.AddRange(results.Select(r => r.Select(g => g.StoppedAtEos ? g.Tokens[..^1] : g.Tokens).ToArray()));
        }
        return result.ToArray();
    }

    private int[][] GreedyBatch(int[][] rows, int maxNew)
    {
        var eos = Tokenizer.EosIds;
        IReadOnlyList<GenerationResult> results;
        using (no_grad()) results = TextGenerator.Generate(Model, rows, new GenerationOptions(maxNew), eos);
        // The generator prefills all rows in one pass, then one pass per step until every row ends.
        var steps = Math.Max(0, results.Max(r => r.Tokens.Length) - 1);
        Meter.Charge(1 + steps, (long)rows.Length * rows.Max(r => r.Length) + (long)rows.Length * steps);
        return results.Select(r => r.StoppedAtEos ? r.Tokens[..^1] : r.Tokens).ToArray();
    }
}
