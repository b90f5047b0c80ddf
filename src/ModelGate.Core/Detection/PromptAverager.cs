using ModelGate.Core.Inference;
using static TorchSharp.torch;

namespace ModelGate.Core.Detection;

/// <summary>
/// Next-token distributions averaged over a fixed set of prompts, for many continuations at once, on a shared-prefix
/// key/value cache: the prompts run once; each group of continuations forks the cache (one row per continuation ×
/// prompt) and then advances one token per step. This is what makes BAIT affordable on a CPU: a step costs one
/// token per row instead of the whole prompt again.
/// </summary>
public sealed class PromptAverager : IDisposable
{
    private readonly ModelProbe _probe;
    private readonly KvCache _prefix;
    private readonly Tensor _prefixLast;
    private readonly int _prompts;

    public PromptAverager(ModelProbe probe, IReadOnlyList<int[]> prompts)
    {
        _probe = probe;
        _prompts = prompts.Count;
        _prefix = probe.Model.NewCache(prompts.Count);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (ids, mask) = probe.LeftPad(prompts);
        _prefixLast = probe.Model.Forward(ids, mask, _prefix).select(1, -1).log_softmax(-1).exp().mean([0]).to(float32).cpu()
            .DetachFromDisposeScope();
        probe.Meter.Charge(1, ids.numel());
    }

    /// <summary>The averaged distribution right after the prompts (before any continuation token).</summary>
    public float[] Initial => _prefixLast.data<float>().ToArray();

    /// <summary>A group of continuations advancing together; rows can be dropped as continuations die.</summary>
    public Group Start(IReadOnlyList<int> firstTokens) => new(this, firstTokens);

    public void Dispose()
    {
        _prefix.Dispose();
        _prefixLast.Dispose();
    }

    public sealed class Group : IDisposable
    {
        private readonly PromptAverager _owner;
        private KvCache _cache;
        private List<int> _members;   // indices into the caller's list, in row-block order

        internal Group(PromptAverager owner, IReadOnlyList<int> firstTokens)
        {
            _owner = owner;
            _members = Enumerable.Range(0, firstTokens.Count).ToList();
            var rows = firstTokens.SelectMany(_ => Enumerable.Range(0, owner._prompts).Select(p => (long)p)).ToArray();
            _cache = owner._prefix.Select(rows);
        }

        /// <summary>Which of the caller's continuations are still in the group.</summary>
        public IReadOnlyList<int> Members => _members;

        /// <summary>Feeds one token per live continuation; returns each one's next-token distribution averaged over the prompts.</summary>
        public float[][] Step(IReadOnlyList<int> tokens)
        {
            if (tokens.Count != _members.Count) throw new ArgumentException("one token per live continuation");
            var p = _owner._prompts;
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var ids = tokens.SelectMany(t => Enumerable.Repeat((long)t, p)).ToArray();
            var model = _owner._probe.Model;
            var input = tensor(ids, [ids.Length, 1], device: model.Device);
            var logits = model.Forward(input, ones(ids.Length, 1, dtype: ScalarType.Int64, device: model.Device), _cache).select(1, -1);
            _owner._probe.Meter.Charge(1, ids.Length);
            var averaged = logits.log_softmax(-1).exp().view(tokens.Count, p, -1).mean([1]).to(float32).cpu();
            return Enumerable.Range(0, tokens.Count).Select(i => averaged[i].data<float>().ToArray()).ToArray();
        }

        /// <summary>Keeps only the continuations at the given positions of <see cref="Members"/>.</summary>
        public void Keep(IReadOnlyList<int> positions)
        {
            if (positions.Count == _members.Count) return;
            var p = _owner._prompts;
            var rows = positions.SelectMany(i => Enumerable.Range(0, p).Select(j => (long)(i * p + j))).ToArray();
            var next = _cache.Select(rows);
            _cache.Dispose();
            _cache = next;
            _members = positions.Select(i => _members[i]).ToList();
        }

        public void Dispose() => _cache.Dispose();
    }
}
