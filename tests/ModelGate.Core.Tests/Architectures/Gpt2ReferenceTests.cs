using ModelGate.Core;
using ModelGate.Core.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Tests.Architectures;

/// <summary>
/// No real GPT-2 weights are available offline, so the GPT-2 path is checked against an independent scalar
/// implementation of Hugging Face's GPT2LMHeadModel written with plain loops (Conv1D [in, out] weights, q/k/v split
/// in that order, gelu_new, LayerNorm, learned positions, tied head).
/// </summary>
public class Gpt2ReferenceTests
{
    [Test]
    public void Gpt2_logits_match_a_scalar_reference()
    {
        TorchRuntime.EnsureLoaded();
        var config = TinyConfigs.Gpt2();
        using var model = TransformerCausalLM.CreateRandom(config, seed: 17);
        var w = model.Weights.ToDictionary(kv => kv.Key, kv => (kv.Value.shape, kv.Value.detach().cpu().data<float>().ToArray()));
        int[] ids = { 5, 1, 33, 12, 7 };
        var expected = Reference(config, w, ids);
        using var scope = NewDisposeScope();
        var actual = model.Forward(tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0))[0].data<float>().ToArray();
        Assert.That(actual.Length, Is.EqualTo(expected.Length));
        for (var i = 0; i < actual.Length; i++) Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-4), $"logit {i}");
    }

    private static float[] Reference(ModelConfig c, Dictionary<string, (long[] Shape, float[] Data)> w, int[] ids)
    {
        int h = c.HiddenSize, n = ids.Length, heads = c.NumHeads, d = h / heads, v = c.VocabSize;
        float[] W(string name) => w["transformer." + name].Data;
        var x = new float[n][];
        for (var t = 0; t < n; t++)
            x[t] = Enumerable.Range(0, h).Select(j => W("wte.weight")[ids[t] * h + j] + W("wpe.weight")[t * h + j]).ToArray();
        for (var l = 0; l < c.NumLayers; l++)
        {
            var p = $"h.{l}.";
            var a = x.Select(r => LayerNorm(r, W(p + "ln_1.weight"), W(p + "ln_1.bias"), c.NormEps)).ToArray();
            var qkv = a.Select(r => Conv1D(r, W(p + "attn.c_attn.weight"), W(p + "attn.c_attn.bias"))).ToArray();
            var attn = new float[n][];
            for (var t = 0; t < n; t++)
            {
                attn[t] = new float[h];
                for (var head = 0; head < heads; head++)
                {
                    var scores = new double[t + 1];
                    for (var s = 0; s <= t; s++)
                    {
                        double dot = 0;
                        for (var j = 0; j < d; j++) dot += qkv[t][head * d + j] * qkv[s][h + head * d + j];
                        scores[s] = dot / Math.Sqrt(d);
                    }
                    var max = scores.Max();
                    var e = scores.Select(sc => Math.Exp(sc - max)).ToArray();
                    var sum = e.Sum();
                    for (var s = 0; s <= t; s++)
                        for (var j = 0; j < d; j++) attn[t][head * d + j] += (float)(e[s] / sum) * qkv[s][2 * h + head * d + j];
                }
            }
            for (var t = 0; t < n; t++)
            {
                var o = Conv1D(attn[t], W(p + "attn.c_proj.weight"), W(p + "attn.c_proj.bias"));
                for (var j = 0; j < h; j++) x[t][j] += o[j];
                var m = LayerNorm(x[t], W(p + "ln_2.weight"), W(p + "ln_2.bias"), c.NormEps);
                var f = Conv1D(m, W(p + "mlp.c_fc.weight"), W(p + "mlp.c_fc.bias"))
                    .Select(z => (float)(0.5 * z * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z))))).ToArray();
                var g = Conv1D(f, W(p + "mlp.c_proj.weight"), W(p + "mlp.c_proj.bias"));
                for (var j = 0; j < h; j++) x[t][j] += g[j];
            }
        }
        var logits = new float[n * v];
        for (var t = 0; t < n; t++)
        {
            var y = LayerNorm(x[t], W("ln_f.weight"), W("ln_f.bias"), c.NormEps);
            for (var k = 0; k < v; k++)
            {
                double dot = 0;
                for (var j = 0; j < h; j++) dot += y[j] * W("wte.weight")[k * h + j];
                logits[t * v + k] = (float)dot;
            }
        }
        return logits;
    }

    /// <summary>y = x W + b with W stored [in, out].</summary>
    private static float[] Conv1D(float[] x, float[] weight, float[] bias)
    {
        var outDim = bias.Length;
        var y = (float[])bias.Clone();
        for (var i = 0; i < x.Length; i++)
            for (var o = 0; o < outDim; o++) y[o] += x[i] * weight[i * outDim + o];
        return y;
    }

    private static float[] LayerNorm(float[] x, float[] g, float[] b, double eps)
    {
        var mean = x.Average();
        var variance = x.Select(z => (z - mean) * (z - mean)).Average();
        return x.Select((z, i) => (float)((z - mean) / Math.Sqrt(variance + eps)) * g[i] + b[i]).ToArray();
    }
}
