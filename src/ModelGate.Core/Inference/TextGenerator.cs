using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Inference;

/// <summary>Generation settings. Temperature 0 is greedy; above 0 samples with a generator seeded by <see cref="Seed"/>.</summary>
public sealed record GenerationOptions(int MaxNewTokens, double Temperature = 0, long Seed = 0, bool StopAtEos = true);

/// <summary>New tokens (EOS included when it ended the text) and the model's log-probability (temperature 1) of each.</summary>
public sealed record GenerationResult(int[] Tokens, float[] LogProbs, bool StoppedAtEos);

/// <summary>
/// Batched autoregressive decoding with a key/value cache. Prompts are left-padded into one batch; the mask keeps
/// padding invisible, so each row generates what it would alone.
/// </summary>
public static class TextGenerator
{
    public static IReadOnlyList<GenerationResult> Generate(ICausalLM model, IReadOnlyList<int[]> prompts, GenerationOptions options,
        IReadOnlyCollection<int>? eosIds = null)
    {
        if (prompts.Count == 0) return Array.Empty<GenerationResult>();
        using var cache = model.NewCache(prompts.Count);
        using var scope = NewDisposeScope();
        var logits = Prefill(model, prompts, cache);
        return Decode(model, cache, logits, options, eosIds);
    }

    /// <summary>
    /// Runs each prompt once, then forks the cache (<see cref="KvCache.Select"/>) into <paramref name="samplesPerPrompt"/>
    /// continuations per prompt. Result [p][s] is sample s of prompt p.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<GenerationResult>> GenerateShared(ICausalLM model, IReadOnlyList<int[]> prompts,
        int samplesPerPrompt, GenerationOptions options, IReadOnlyCollection<int>? eosIds = null)
    {
        if (prompts.Count == 0 || samplesPerPrompt <= 0) return Array.Empty<IReadOnlyList<GenerationResult>>();
        using var prefix = model.NewCache(prompts.Count);
        using var scope = NewDisposeScope();
        var last = Prefill(model, prompts, prefix);
        var rows = Enumerable.Range(0, prompts.Count).SelectMany(p => Enumerable.Repeat((long)p, samplesPerPrompt)).ToArray();
        using var fork = prefix.Select(rows);
        var forkLogits = last.index_select(0, tensor(rows, device: last.device));
        var flat = Decode(model, fork, forkLogits, options, eosIds);
        return Enumerable.Range(0, prompts.Count).Select(p => (IReadOnlyList<GenerationResult>)flat.Skip(p * samplesPerPrompt).Take(samplesPerPrompt).ToList()).ToList();
    }

    /// <summary>Left-pads prompts into [B, T] ids and mask.</summary>
    public static (Tensor Ids, Tensor Mask) LeftPad(IReadOnlyList<int[]> prompts, int padId = 0)
    {
        var t = prompts.Max(p => p.Length);
        if (t == 0) throw new ArgumentException("every batch needs at least one non-empty prompt (use BOS for an empty prompt)");
        var ids = new long[prompts.Count * t];
        var mask = new long[prompts.Count * t];
        for (var b = 0; b < prompts.Count; b++)
        {
            var p = prompts[b];
            if (p.Length == 0) throw new ArgumentException($"prompt {b} is empty (use BOS for an empty prompt)");
            for (var i = 0; i < t; i++)
            {
                var j = i - (t - p.Length);
                ids[b * t + i] = j >= 0 ? p[j] : padId;
                mask[b * t + i] = j >= 0 ? 1 : 0;
            }
        }
        return (tensor(ids, new long[] { prompts.Count, t }), tensor(mask, new long[] { prompts.Count, t }));
    }

    private static Tensor Prefill(ICausalLM model, IReadOnlyList<int[]> prompts, KvCache cache)
    {
        var (ids, mask) = LeftPad(prompts);
        var logits = model.Forward(ids.to(model.Device), mask.to(model.Device), cache);
        return logits.select(1, -1);
    }

    private static List<GenerationResult> Decode(ICausalLM model, KvCache cache, Tensor lastLogits, GenerationOptions options,
        IReadOnlyCollection<int>? eosIds)
    {
        var b = (int)lastLogits.shape[0];
        var tokens = Enumerable.Range(0, b).Select(_ => new List<int>()).ToArray();
        var logProbs = Enumerable.Range(0, b).Select(_ => new List<float>()).ToArray();
        var done = new bool[b];
        var eos = options.StopAtEos && eosIds is not null ? new HashSet<int>(eosIds) : new HashSet<int>();
        using var gen = options.Temperature > 0 ? new Generator((ulong)options.Seed, lastLogits.device) : null;
        // Each step's logits are detached from the dispose scopes and freed by hand, so a long generation holds
        // one step's logits at a time instead of all of them until the caller's scope ends.
        var logits = lastLogits;
        Tensor? owned = null;
        try
        {
            for (var step = 0; step < options.MaxNewTokens; step++)
            {
                using var stepScope = NewDisposeScope();
                var lp = logits.log_softmax(-1);
                var next = gen is null
                    ? logits.argmax(-1)
                    : (logits / options.Temperature).softmax(-1).multinomial(1, generator: gen).squeeze(-1);
                var chosenLp = lp.gather(1, next.unsqueeze(1)).squeeze(1).cpu().data<float>().ToArray();
                var chosen = next.cpu().data<long>().ToArray();
                for (var i = 0; i < b; i++)
                {
                    if (done[i]) continue;
                    tokens[i].Add((int)chosen[i]);
                    logProbs[i].Add(chosenLp[i]);
                    if (eos.Contains((int)chosen[i])) done[i] = true;
                }
                if (done.All(d => d) || step == options.MaxNewTokens - 1) break;
                var input = next.unsqueeze(1).to(model.Device);
                var newLogits = model.Forward(input, ones(b, 1, dtype: ScalarType.Int64, device: model.Device), cache).select(1, -1);
                owned?.Dispose();
                owned = newLogits.DetachFromDisposeScope();
                logits = owned;
            }
        }
        finally { owned?.Dispose(); }
        return Enumerable.Range(0, b).Select(i => new GenerationResult(tokens[i].ToArray(), logProbs[i].ToArray(), done[i])).ToList();
    }
}
