using TorchSharp;

namespace ModelGate.Core;

/// <summary>Loads libtorch once and resolves the user's device choice (auto|cpu|cuda[:n]).</summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool _initialised;

    /// <summary>Makes sure the native backend is loaded; throws <see cref="ModelGateException"/> with a clear cause otherwise.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_initialised) return;
            try
            {
                // Touching the backend forces the native library load; this is where a missing
                // GLIBCXX symbol surfaces, with a misleading message from TorchSharp.
                _ = torch.cuda.is_available();
                torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
                _initialised = true;
            }
            catch (Exception e) when (e is not ModelGateException)
            {
                throw new ModelGateException(ErrorKind.Engine,
                    "libtorch failed to load (TorchSharp needs libstdc++ with GLIBCXX_3.4.32; run eng/setup.sh): " + FirstLine(e.Message));
            }
        }
    }

    public static torch.Device ResolveDevice(string? spec)
    {
        EnsureLoaded();
        spec = string.IsNullOrWhiteSpace(spec) ? "auto" : spec.Trim().ToLowerInvariant();
        if (spec == "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (spec == "cpu") return torch.CPU;
        if (spec == "cuda" || spec.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ModelGateException(ErrorKind.Usage,
                    $"--device {spec}: CUDA is not available in this build (the CPU libtorch is loaded); see README \"Running on GPU\".");
            return new torch.Device(spec);
        }
        throw new ModelGateException(ErrorKind.Usage, $"--device {spec}: expected auto, cpu, cuda or cuda:N.");
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
