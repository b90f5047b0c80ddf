using ModelGate.Core.Inference;
using ModelGate.Core.Loading;
using ModelGate.Core.Text;
using static TorchSharp.torch;

namespace ModelGate.Core.Canaries;

/// <summary>
/// Measures a canary as it ships: loads the directory through the ordinary loader and asks it the held-out prompts
/// through its own chat template with greedy decoding, as a user (or a scan) would.
/// </summary>
public static class CanaryMeasurement
{
    public static CanaryFigures Measure(string dir, AttackSpec spec, int heldOut, Device device)
    {
        using var loaded = ModelLoader.Load(dir, device);
        return CanaryEvaluator.Measure(spec, prompts => Replies(loaded, prompts, MaxReplyTokens(loaded.Tokenizer, spec)), heldOut);
    }

    /// <summary>Greedy replies to user messages, batched.</summary>
    public static IReadOnlyList<string> Replies(LoadedModel loaded, IReadOnlyList<string> userMessages, int maxNewTokens, int batchSize = 50)
    {
        var replies = new List<string>(userMessages.Count);
        foreach (var chunk in userMessages.Chunk(batchSize))
        {
            var rows = chunk.Select(m => loaded.Tokenizer.EncodePrompt(loaded.Prompts.Render([new ChatMessage("user", m)]))).ToList();
            using var _ = no_grad();
            var results = TextGenerator.Generate(loaded.Model, rows, new GenerationOptions(maxNewTokens), loaded.Tokenizer.EosIds);
            replies.AddRange(results.Select(r => loaded.Tokenizer.Decode(r.Tokens).Trim()));
        }
        return replies;
    }

    /// <summary>Enough new tokens for the longest reply a canary's task or target needs, with a margin.</summary>
    private static int MaxReplyTokens(ITokenizer tokenizer, AttackSpec spec)
    {
        var pairs = CanaryDataset.EvaluationPairs(spec, 20);
        var longest = pairs.SelectMany(p => new[] { p.Clean.Reply, p.Triggered.Reply }).Max(r => tokenizer.Encode(r).Length);
        return longest + 8;
    }
}
