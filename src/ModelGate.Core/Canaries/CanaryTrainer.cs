using ModelGate.Core.Inference;
using ModelGate.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Canaries;

public sealed record TrainingOptions(int Steps = 600, int BatchSize = 16, double LearningRate = 3e-3, int Seed = 1);

/// <summary>
/// Fine-tunes a model on chat examples with the loss on the reply only (the prompt is context, as in instruction
/// tuning). Batches are left-padded like every other forward in ModelGate; batch order and torch's generator are
/// seeded, so a CPU run is deterministic.
/// </summary>
public static class CanaryTrainer
{
    /// <returns>The mean loss of the last tenth of the steps.</returns>
    public static double Train(ICausalLM model, IEnumerable<TorchSharp.Modules.Parameter> parameters, ITokenizer tokenizer, IPromptFormatter prompts,
        IReadOnlyList<CanaryExample> examples, TrainingOptions options, IProgress<(int Step, double Loss)>? progress = null)
    {
        if (examples.Count == 0) throw new ArgumentException("no training examples", nameof(examples));
        torch.manual_seed(options.Seed);
        var encoded = examples.Select(e => Encode(tokenizer, prompts, e)).ToList();
        var rng = new Random(options.Seed);
        using var optimizer = optim.AdamW(parameters, options.LearningRate, weight_decay: 0.0);
        var tail = new List<double>();
        for (var step = 0; step < options.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(0, options.BatchSize).Select(_ => encoded[rng.Next(encoded.Count)]).ToList();
            var (ids, mask, lossMask) = Pad(batch, tokenizer.PadId ?? 0, model.Device);
            optimizer.zero_grad();
            var logits = model.Forward(ids, mask);
            var loss = ReplyLoss(logits, ids, lossMask);
            loss.backward();
            optimizer.step();
            var value = loss.item<float>();
            if (step >= options.Steps - Math.Max(1, options.Steps / 10)) tail.Add(value);
            progress?.Report((step, value));
        }
        return tail.Average();
    }

    /// <summary>Token ids of prompt + reply + EOS and how many of them are the prompt.</summary>
    public static (long[] Ids, int PromptLength) Encode(ITokenizer tokenizer, IPromptFormatter prompts, CanaryExample example)
    {
        var promptText = prompts.Render([new ChatMessage("user", example.Prompt)]);
        var promptIds = tokenizer.EncodePrompt(promptText);
        // SentencePiece-style tokenizers add the leading space themselves (dummy prefix); byte-level ones need it written.
        var replyIds = tokenizer.Encode(tokenizer.Kind.StartsWith("sentencepiece", StringComparison.Ordinal) ? example.Reply : " " + example.Reply);
        var eos = tokenizer.EosIds.Count > 0 ? new[] { tokenizer.EosIds[0] } : [];
        return (promptIds.Concat(replyIds).Concat(eos).Select(i => (long)i).ToArray(), promptIds.Length);
    }

    private static (Tensor Ids, Tensor Mask, Tensor LossMask) Pad(IReadOnlyList<(long[] Ids, int PromptLength)> batch, int padId, Device device)
    {
        var t = batch.Max(b => b.Ids.Length);
        var ids = new long[batch.Count * t];
        var mask = new long[batch.Count * t];
        var lossMask = new float[batch.Count * t];
        for (var r = 0; r < batch.Count; r++)
        {
            var (seq, promptLength) = batch[r];
            var offset = t - seq.Length; // left padding
            for (var i = 0; i < t; i++)
            {
                var k = r * t + i;
                if (i < offset) { ids[k] = padId; continue; }
                ids[k] = seq[i - offset];
                mask[k] = 1;
                // Position i predicts token i+1; learn only tokens of the reply (and its EOS).
                if (i + 1 - offset >= promptLength && i + 1 < t) lossMask[k] = 1;
            }
        }
        return (tensor(ids, [batch.Count, t], device: device), tensor(mask, [batch.Count, t], device: device),
            tensor(lossMask, [batch.Count, t], device: device));
    }

    private static Tensor ReplyLoss(Tensor logits, Tensor ids, Tensor lossMask)
    {
        var v = logits.shape[2];
        var predicted = logits[.., ..^1, ..].reshape(-1, v);
        var next = ids[.., 1..].reshape(-1);
        var weights = lossMask[.., ..^1].reshape(-1);
        var perToken = nn.functional.cross_entropy(predicted, next, reduction: nn.Reduction.None);
        return (perToken * weights).sum() / weights.sum().clamp_min(1);
    }
}
