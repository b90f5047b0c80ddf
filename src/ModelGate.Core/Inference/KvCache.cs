using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Inference;

/// <summary>
/// Key/value cache for incremental decoding: per layer K and V of shape [B, kvHeads, T, headDim], plus the attention
/// mask [B, T] of everything cached so far (so later steps still ignore left padding). Tensors are detached from
/// dispose scopes and owned by the cache; dispose the cache when done.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;

    public KvCache(int numLayers, int batchSize)
    {
        _keys = new Tensor?[numLayers];
        _values = new Tensor?[numLayers];
        BatchSize = batchSize;
    }

    public int BatchSize { get; private set; }

    public int NumLayers => _keys.Length;

    /// <summary>Number of positions cached.</summary>
    public long Length => _keys[0]?.shape[2] ?? 0;

    /// <summary>Mask [B, Length] of cached positions (1 real, 0 padding), or null when empty.</summary>
    public Tensor? Mask { get; private set; }

    /// <summary>Appends this step's keys/values for one layer and returns the full K and V to attend over.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var k = _keys[layer] is null ? keys : cat(new[] { _keys[layer]!, keys }, 2);
        var v = _values[layer] is null ? values : cat(new[] { _values[layer]!, values }, 2);
        Replace(ref _keys[layer], k);
        Replace(ref _values[layer], v);
        return (_keys[layer]!, _values[layer]!);
    }

    /// <summary>Appends the mask of the new tokens [B, t]; returns the full mask [B, Length + t].</summary>
    public Tensor AppendMask(Tensor newMask)
    {
        var m = Mask is null ? newMask : cat(new[] { Mask, newMask }, 1);
        var old = Mask;
        Mask = m.detach().DetachFromDisposeScope();
        old?.Dispose();
        return Mask;
    }

    /// <summary>
    /// A new cache whose row i is row <paramref name="rows"/>[i] of this one: the shared-prefix fork
    /// (run K prompts once, then continue each N times with rows = [0,0,..,1,1,..]).
    /// </summary>
    public KvCache Select(long[] rows)
    {
        var fork = new KvCache(NumLayers, rows.Length);
        using var scope = NewDisposeScope();
        var index = tensor(rows, device: _keys[0]?.device ?? CPU);
        for (var l = 0; l < NumLayers; l++)
        {
            if (_keys[l] is null) continue;
            fork._keys[l] = _keys[l]!.index_select(0, index).DetachFromDisposeScope();
            fork._values[l] = _values[l]!.index_select(0, index).DetachFromDisposeScope();
        }
        if (Mask is not null) fork.Mask = Mask.index_select(0, index.to(Mask.device)).DetachFromDisposeScope();
        return fork;
    }

    public void Dispose()
    {
        for (var l = 0; l < NumLayers; l++)
        {
            _keys[l]?.Dispose(); _keys[l] = null;
            _values[l]?.Dispose(); _values[l] = null;
        }
        Mask?.Dispose();
        Mask = null;
    }

    private static void Replace(ref Tensor? slot, Tensor value)
    {
        var old = slot;
        slot = value.detach().DetachFromDisposeScope();
        if (!ReferenceEquals(old, value)) old?.Dispose();
    }
}
