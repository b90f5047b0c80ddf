using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Inference;

/// <summary>Facts about a loaded model that detectors and reports need.</summary>
public sealed record ModelInfo(
    string ModelType,
    string Architecture,
    long ParameterCount,
    int VocabSize,
    int HiddenSize,
    int NumLayers,
    int MaxPositions,
    string StoredDType,
    string ComputeDType);

/// <summary>
/// A causal language model ready for inference. All tensors it returns are float32 logits on <see cref="Device"/>.
/// Padding convention: LEFT padding, attention mask 1 for real tokens and 0 for padding; position ids are derived
/// from the mask so that a padded row computes exactly what the unpadded prompt would.
/// Callers own dispose scopes; the model's weights are detached from every scope and live until Dispose.
/// </summary>
public interface ICausalLM : IDisposable
{
    ModelInfo Info { get; }

    Device Device { get; }

    /// <summary>Input embedding matrix [V, H] (the weight itself; do not modify).</summary>
    Tensor EmbeddingMatrix { get; }

    /// <summary>Forward over ids [B, T] (int64). With a cache, ids are the new tokens only and the cache is extended in place.
    /// Returns logits [B, T, V].</summary>
    Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null);

    /// <summary>Forward from input embeddings [B, T, H] with gradients flowing back to them (weights stay frozen).
    /// Returns logits [B, T, V].</summary>
    Tensor ForwardEmbeddings(Tensor inputsEmbeds, Tensor? attentionMask = null);

    /// <summary>A new empty key/value cache for a batch of the given size.</summary>
    KvCache NewCache(int batchSize);
}
