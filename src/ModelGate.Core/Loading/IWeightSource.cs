using TorchSharp;

namespace ModelGate.Core.Loading;

/// <summary>Safetensors dtypes ModelGate can load as model weights.</summary>
public enum WeightDType { F32, F16, BF16 }

/// <summary>Name, dtype and shape of one stored tensor, and the file that holds it.</summary>
public sealed record TensorEntry(string Name, string DType, long[] Shape, string File, long Begin, long End);

/// <summary>
/// The tensors of a checkpoint (one safetensors file or a sharded set), validated when opened.
/// Tensors are read on demand, each once, straight into a tensor of the requested dtype and device,
/// without a second full copy of the file in memory.
/// </summary>
public interface IWeightSource : IDisposable
{
    IReadOnlyDictionary<string, TensorEntry> Entries { get; }

    /// <summary>Reads one tensor. Throws <see cref="ModelGateException"/> (InvalidModel) naming the file on any problem,
    /// including NaN or Inf values.</summary>
    torch.Tensor Read(string name, torch.ScalarType dtype, torch.Device device);
}
