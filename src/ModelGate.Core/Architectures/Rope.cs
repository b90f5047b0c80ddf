using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Architectures;

/// <summary>Rotary position embedding in Hugging Face's rotate_half convention, with linear and llama3 scaling.</summary>
internal static class Rope
{
    /// <summary>Inverse frequencies [headDim/2] as HF computes them (float64 math, then float32).</summary>
    public static float[] InverseFrequencies(ModelConfig c)
    {
        var half = c.HeadDim / 2;
        var inv = new double[half];
        for (var i = 0; i < half; i++) inv[i] = 1.0 / Math.Pow(c.RopeTheta, 2.0 * i / c.HeadDim);
        if (c.RopeScaling is { Type: "linear" } lin)
            for (var i = 0; i < half; i++) inv[i] /= lin.Factor;
        else if (c.RopeScaling is { Type: "llama3" } s)
        {
            // transformers' _compute_llama3_parameters: long wavelengths slowed by factor, short kept, smooth in between.
            var lowWavelen = s.OriginalMaxPositions / s.LowFreqFactor;
            var highWavelen = s.OriginalMaxPositions / s.HighFreqFactor;
            for (var i = 0; i < half; i++)
            {
                var wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowWavelen) inv[i] /= s.Factor;
                else if (wavelen >= highWavelen)
                {
                    var smooth = (s.OriginalMaxPositions / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                    inv[i] = (1 - smooth) * inv[i] / s.Factor + smooth * inv[i];
                }
            }
        }
        return inv.Select(v => (float)v).ToArray();
    }

    /// <summary>cos and sin [B, 1, T, headDim] for integer positions [B, T].</summary>
    public static (Tensor Cos, Tensor Sin) CosSin(Tensor invFreq, Tensor positions, ScalarType dtype)
    {
        var freqs = positions.to(ScalarType.Float32).unsqueeze(-1) * invFreq; // [B, T, half]
        var emb = cat(new[] { freqs, freqs }, -1).unsqueeze(1);
        return (emb.cos().to(dtype), emb.sin().to(dtype));
    }

    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat(new[] { -x2, x1 }, -1);
        return x * cos + rotated * sin;
    }
}
