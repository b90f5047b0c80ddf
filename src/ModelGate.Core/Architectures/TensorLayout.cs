namespace ModelGate.Core.Architectures;

/// <summary>The checkpoint tensors (Hugging Face names and shapes) a config implies, computed without allocating weights.</summary>
public static class TensorLayout
{
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(ModelConfig c) =>
        c.Family == ArchitectureFamily.Gpt2 ? Gpt2(c) : Llama(c);

    /// <summary>Checkpoint entries that are derived buffers, not weights, and are safe to ignore.</summary>
    public static bool IsIgnorableBuffer(ModelConfig c, string name) =>
        c.Family == ArchitectureFamily.Gpt2
            ? name.EndsWith(".attn.bias", StringComparison.Ordinal) || name.EndsWith(".attn.masked_bias", StringComparison.Ordinal)
              || name == "lm_head.weight" // some GPT-2 checkpoints store the tied head; it is re-tied to wte
            : name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)
              // Transformers ties the head to the embedding on load and ignores a stored copy; so do we.
              || (c.TieWordEmbeddings && name == "lm_head.weight");

    private static List<(string, long[])> Llama(ModelConfig c)
    {
        long h = c.HiddenSize, q = (long)c.NumHeads * c.HeadDim, kv = (long)c.NumKvHeads * c.HeadDim, i = c.IntermediateSize;
        var list = new List<(string, long[])> { ("model.embed_tokens.weight", new[] { (long)c.VocabSize, h }) };
        for (var l = 0; l < c.NumLayers; l++)
        {
            var p = $"model.layers.{l}.";
            list.Add((p + "self_attn.q_proj.weight", new[] { q, h }));
            list.Add((p + "self_attn.k_proj.weight", new[] { kv, h }));
            list.Add((p + "self_attn.v_proj.weight", new[] { kv, h }));
            if (c.QkvBias)
            {
                list.Add((p + "self_attn.q_proj.bias", new[] { q }));
                list.Add((p + "self_attn.k_proj.bias", new[] { kv }));
                list.Add((p + "self_attn.v_proj.bias", new[] { kv }));
            }
            list.Add((p + "self_attn.o_proj.weight", new[] { h, q }));
            if (c.OutputBias) list.Add((p + "self_attn.o_proj.bias", new[] { h }));
            list.Add((p + "mlp.gate_proj.weight", new[] { i, h }));
            list.Add((p + "mlp.up_proj.weight", new[] { i, h }));
            list.Add((p + "mlp.down_proj.weight", new[] { h, i }));
            list.Add((p + "input_layernorm.weight", new[] { h }));
            list.Add((p + "post_attention_layernorm.weight", new[] { h }));
        }
        list.Add(("model.norm.weight", new[] { h }));
        if (!c.TieWordEmbeddings) list.Add(("lm_head.weight", new[] { (long)c.VocabSize, h }));
        return list;
    }

    private static List<(string, long[])> Gpt2(ModelConfig c)
    {
        long h = c.HiddenSize, i = c.IntermediateSize;
        var t = c.Gpt2Prefix;
        var list = new List<(string, long[])>
        {
            (t + "wte.weight", new[] { (long)c.VocabSize, h }),
            (t + "wpe.weight", new[] { (long)c.MaxPositions, h }),
        };
        for (var l = 0; l < c.NumLayers; l++)
        {
            var p = $"{t}h.{l}.";
            list.Add((p + "ln_1.weight", new[] { h }));
            list.Add((p + "ln_1.bias", new[] { h }));
            // Conv1D stores weights as [in, out], the transpose of nn.Linear.
            list.Add((p + "attn.c_attn.weight", new[] { h, 3 * h }));
            list.Add((p + "attn.c_attn.bias", new[] { 3 * h }));
            list.Add((p + "attn.c_proj.weight", new[] { h, h }));
            list.Add((p + "attn.c_proj.bias", new[] { h }));
            list.Add((p + "ln_2.weight", new[] { h }));
            list.Add((p + "ln_2.bias", new[] { h }));
            list.Add((p + "mlp.c_fc.weight", new[] { h, i }));
            list.Add((p + "mlp.c_fc.bias", new[] { i }));
            list.Add((p + "mlp.c_proj.weight", new[] { i, h }));
            list.Add((p + "mlp.c_proj.bias", new[] { h }));
        }
        list.Add((t + "ln_f.weight", new[] { h }));
        list.Add((t + "ln_f.bias", new[] { h }));
        return list;
    }
}
