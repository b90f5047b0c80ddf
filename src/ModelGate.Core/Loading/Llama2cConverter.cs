using ModelGate.Core.Architectures;
using ModelGate.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Loading;

/// <summary>
/// Converts a llama2.c legacy ("v0") checkpoint plus its tokenizer into a Hugging Face Llama directory
/// (config.json, model.safetensors, tokenizer.json, tokenizer_config.json). The file is plain little-endian
/// int32/float32 arrays, never pickled code.
/// </summary>
public static class Llama2cConverter
{
    public static ModelConfig Convert(string checkpoint, string tokenizerBin, string outDir, string? chatTemplate = null)
    {
        TorchRuntime.EnsureLoaded();
        using var f = SafetensorsFile.OpenRead(checkpoint);
        using var r = new BinaryReader(f);
        if (f.Length < 28) throw SafetensorsFile.Invalid(checkpoint, "shorter than the 28-byte llama2.c header");
        int dim = r.ReadInt32(), hidden = r.ReadInt32(), layers = r.ReadInt32(), heads = r.ReadInt32(), kvHeads = r.ReadInt32(),
            vocab = r.ReadInt32(), seqLen = r.ReadInt32();
        var shared = vocab > 0; // llama2.c: a positive vocab size means the classifier is tied to the embedding
        vocab = Math.Abs(vocab);
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab <= 0 || seqLen <= 0 || dim % heads != 0 || heads % kvHeads != 0)
            throw SafetensorsFile.Invalid(checkpoint, $"implausible llama2.c header (dim {dim}, hidden {hidden}, layers {layers}, heads {heads}/{kvHeads}, vocab {vocab})");
        var headSize = dim / heads;
        var kvDim = kvHeads * headSize;
        var config = new ModelConfig
        {
            ModelType = "llama", Family = ArchitectureFamily.Llama, VocabSize = vocab, HiddenSize = dim, IntermediateSize = hidden,
            NumLayers = layers, NumHeads = heads, NumKvHeads = kvHeads, HeadDim = headSize, MaxPositions = seqLen, NormEps = 1e-5,
            RopeTheta = 10000, TieWordEmbeddings = shared, BosTokenId = 1, EosTokenId = 2,
        };

        var ropeFloats = 2L * seqLen * (headSize / 2);
        long need = (long)vocab * dim + layers * (2L * dim + 2L * dim * dim + 2L * kvDim * dim + 3L * hidden * dim) + dim + ropeFloats
                    + (shared ? 0 : (long)vocab * dim);
        if (f.Length != 28 + 4 * need)
            throw SafetensorsFile.Invalid(checkpoint, $"size {f.Length} bytes does not match the header (expected {28 + 4 * need})");

        using var scope = NewDisposeScope();
        Tensor Next(params long[] shape)
        {
            var n = shape.Aggregate(1L, (a, b) => a * b);
            var bytes = r.ReadBytes(checked((int)(n * 4)));
            var t = zeros(shape, ScalarType.Float32);
            t.bytes = bytes;
            if (!t.isfinite().all().item<bool>()) throw SafetensorsFile.Invalid(checkpoint, "contains NaN or Inf weights");
            return t;
        }
        var w = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        w["model.embed_tokens.weight"] = Next(vocab, dim);
        void PerLayer(string suffix, Tensor all) { for (var l = 0; l < layers; l++) w[$"model.layers.{l}.{suffix}"] = all[l]; }
        PerLayer("input_layernorm.weight", Next(layers, dim));
        var wq = Next(layers, dim, dim);
        var wk = Next(layers, kvDim, dim);
        PerLayer("self_attn.q_proj.weight", Permute(wq, heads, headSize, dim));
        PerLayer("self_attn.k_proj.weight", Permute(wk, kvHeads, headSize, dim));
        PerLayer("self_attn.v_proj.weight", Next(layers, kvDim, dim));
        PerLayer("self_attn.o_proj.weight", Next(layers, dim, dim));
        PerLayer("post_attention_layernorm.weight", Next(layers, dim));
        PerLayer("mlp.gate_proj.weight", Next(layers, hidden, dim));
        PerLayer("mlp.down_proj.weight", Next(layers, dim, hidden));
        PerLayer("mlp.up_proj.weight", Next(layers, hidden, dim));
        w["model.norm.weight"] = Next(dim);
        r.ReadBytes(checked((int)(ropeFloats * 4))); // legacy RoPE tables: recomputed, not trusted
        if (!shared) w["lm_head.weight"] = Next(vocab, dim);

        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "config.json"), config.ToJson());
        SafetensorsWriter.Write(Path.Combine(outDir, "model.safetensors"), w.ToDictionary(kv => kv.Key, kv => kv.Value.contiguous()),
            new Dictionary<string, string> { ["format"] = "pt" });
        Llama2cTokenizerConverter.Convert(tokenizerBin, outDir, chatTemplate, vocab);
        return config;
    }

    /// <summary>llama2.c rotates interleaved pairs (2i, 2i+1); HF rotates halves. Reorder q/k rows per head:
    /// [L, heads, half, 2, in] → [L, heads, 2, half, in].</summary>
    private static Tensor Permute(Tensor w, int heads, int headSize, int dim) =>
        w.view(w.shape[0], heads, headSize / 2, 2, dim).transpose(2, 3).reshape(w.shape[0], heads * headSize, dim);
}
