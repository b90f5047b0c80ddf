using ModelGate.Core;
using ModelGate.Core.Architectures;

namespace ModelGate.Core.Tests.Architectures;

/// <summary>Real published config.json files: the layout they imply must match the real checkpoints' tensor
/// names, shapes and parameter counts (computed without allocating any weights).</summary>
public class ModelConfigTests
{
    private const string Llama3_8B = """
        {"architectures":["LlamaForCausalLM"],"attention_bias":false,"attention_dropout":0.0,"bos_token_id":128000,"eos_token_id":128001,
         "hidden_act":"silu","hidden_size":4096,"initializer_range":0.02,"intermediate_size":14336,"max_position_embeddings":8192,
         "model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,"pretraining_tp":1,
         "rms_norm_eps":1e-05,"rope_scaling":null,"rope_theta":500000.0,"tie_word_embeddings":false,"torch_dtype":"bfloat16",
         "transformers_version":"4.40.0.dev0","use_cache":true,"vocab_size":128256}
        """;

    private const string Mistral7B = """
        {"architectures":["MistralForCausalLM"],"bos_token_id":1,"eos_token_id":2,"hidden_act":"silu","hidden_size":4096,
         "initializer_range":0.02,"intermediate_size":14336,"max_position_embeddings":32768,"model_type":"mistral",
         "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,"rms_norm_eps":1e-05,"rope_theta":10000.0,
         "sliding_window":4096,"tie_word_embeddings":false,"torch_dtype":"bfloat16","transformers_version":"4.34.0.dev0",
         "use_cache":true,"vocab_size":32000}
        """;

    private const string Qwen25_05B = """
        {"architectures":["Qwen2ForCausalLM"],"attention_dropout":0.0,"bos_token_id":151643,"eos_token_id":151643,"hidden_act":"silu",
         "hidden_size":896,"initializer_range":0.02,"intermediate_size":4864,"max_position_embeddings":32768,"max_window_layers":24,
         "model_type":"qwen2","num_attention_heads":14,"num_hidden_layers":24,"num_key_value_heads":2,"rms_norm_eps":1e-06,
         "rope_theta":1000000.0,"sliding_window":32768,"tie_word_embeddings":true,"torch_dtype":"bfloat16",
         "transformers_version":"4.40.1","use_cache":true,"use_sliding_window":false,"vocab_size":151936}
        """;

    private const string Gpt2 = """
        {"activation_function":"gelu_new","architectures":["GPT2LMHeadModel"],"attn_pdrop":0.1,"bos_token_id":50256,"embd_pdrop":0.1,
         "eos_token_id":50256,"initializer_range":0.02,"layer_norm_epsilon":1e-05,"model_type":"gpt2","n_ctx":1024,"n_embd":768,
         "n_head":12,"n_layer":12,"n_positions":1024,"resid_pdrop":0.1,"summary_activation":null,"summary_first_dropout":0.1,
         "summary_proj_to_labels":true,"summary_type":"cls_index","summary_use_proj":true,"vocab_size":50257}
        """;

    private static long Count(ModelConfig c) => TensorLayout.Expected(c).Sum(e => e.Shape.Aggregate(1L, (a, b) => a * b));

    private static Dictionary<string, long[]> Layout(ModelConfig c) => TensorLayout.Expected(c).ToDictionary(e => e.Name, e => e.Shape);

    [Test]
    public void Llama3_8B_layout_matches_the_checkpoint()
    {
        var c = ModelConfig.Parse(Llama3_8B, "config.json");
        Assert.That(c.HeadDim, Is.EqualTo(128));
        Assert.That(c.RopeTheta, Is.EqualTo(500000));
        var l = Layout(c);
        Assert.That(l["model.layers.31.self_attn.k_proj.weight"], Is.EqualTo(new long[] { 1024, 4096 }));
        Assert.That(l["lm_head.weight"], Is.EqualTo(new long[] { 128256, 4096 }));
        Assert.That(l, Has.Count.EqualTo(32 * 9 + 3));
        Assert.That(Count(c), Is.EqualTo(8_030_261_248L));
    }

    [Test]
    public void Mistral_7B_layout_and_sliding_window()
    {
        var c = ModelConfig.Parse(Mistral7B, "config.json");
        Assert.That(c.SlidingWindow, Is.EqualTo(4096));
        Assert.That(Count(c), Is.EqualTo(7_241_732_096L));
    }

    [Test]
    public void Qwen25_05B_has_qkv_bias_and_tied_head()
    {
        var c = ModelConfig.Parse(Qwen25_05B, "config.json");
        var l = Layout(c);
        Assert.That(l["model.layers.0.self_attn.q_proj.bias"], Is.EqualTo(new long[] { 896 }));
        Assert.That(l["model.layers.0.self_attn.k_proj.bias"], Is.EqualTo(new long[] { 128 }));
        Assert.That(l.ContainsKey("model.layers.0.self_attn.o_proj.bias"), Is.False);
        Assert.That(l.ContainsKey("lm_head.weight"), Is.False);
        Assert.That(c.SlidingWindow, Is.Null, "use_sliding_window is false");
        Assert.That(Count(c), Is.EqualTo(494_032_768L));
    }

    [Test]
    public void Gpt2_layout_uses_conv1d_shapes()
    {
        var c = ModelConfig.Parse(Gpt2, "config.json");
        var l = Layout(c);
        Assert.That(l["transformer.h.0.attn.c_attn.weight"], Is.EqualTo(new long[] { 768, 2304 }));
        Assert.That(l["transformer.h.11.mlp.c_proj.weight"], Is.EqualTo(new long[] { 3072, 768 }));
        Assert.That(Count(c), Is.EqualTo(124_439_808L));
        Assert.That(TensorLayout.Expected(c with { Gpt2Prefix = "" }).First().Name, Is.EqualTo("wte.weight"));
    }

    [Test]
    public void Unsupported_model_type_names_it_and_the_supported_ones()
    {
        var e = Assert.Throws<ModelGateException>(() => ModelConfig.Parse("""{"model_type":"mamba"}""", "m/config.json"));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.Unsupported));
        Assert.That(e.Message, Does.Contain("m/config.json").And.Contain("mamba").And.Contain("llama, mistral, qwen2, gpt2"));
    }

    [Test]
    public void Malformed_configs_are_invalid_model_errors()
    {
        foreach (var json in new[] { "not json", "[]", """{"hidden_size":4}""",
                     """{"model_type":"llama","vocab_size":10,"hidden_size":"big","intermediate_size":4,"num_hidden_layers":1,"num_attention_heads":1}""",
                     """{"model_type":"llama","vocab_size":10,"hidden_size":8,"intermediate_size":4,"num_hidden_layers":1,"num_attention_heads":4,"num_key_value_heads":3}""" })
        {
            var e = Assert.Throws<ModelGateException>(() => ModelConfig.Parse(json, "x/config.json"), json);
            Assert.That(e!.Kind, Is.EqualTo(ErrorKind.InvalidModel), json);
            Assert.That(e.Message, Does.StartWith("x/config.json: "));
        }
    }

    [Test]
    public void Rope_scaling_variants_parse()
    {
        const string baseJson = "\"model_type\":\"llama\",\"vocab_size\":10,\"hidden_size\":64,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":2";
        var lin = ModelConfig.Parse("{" + baseJson + ""","rope_scaling":{"type":"linear","factor":2.0}}""", "c");
        Assert.That(lin.RopeScaling!.Type, Is.EqualTo("linear"));
        var newer = ModelConfig.Parse("{" + baseJson + ""","rope_parameters":{"rope_type":"llama3","rope_theta":500000.0,"factor":32.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}""", "c");
        Assert.That(newer.RopeTheta, Is.EqualTo(500000));
        Assert.That(newer.RopeScaling!.Factor, Is.EqualTo(32));
        var dflt = ModelConfig.Parse("{" + baseJson + ""","rope_parameters":{"rope_type":"default","rope_theta":1000.0}}""", "c");
        Assert.That(dflt.RopeScaling, Is.Null);
        Assert.That(dflt.RopeTheta, Is.EqualTo(1000));
        var e = Assert.Throws<ModelGateException>(() => ModelConfig.Parse("{" + baseJson + ""","rope_scaling":{"rope_type":"yarn","factor":2.0}}""", "c"));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.Unsupported));

        // llama3 scaling: highest frequencies unchanged, lowest divided by the factor.
        var inv = Rope.InverseFrequencies(newer);
        Assert.That(inv[0], Is.EqualTo(1f));
        Assert.That(inv[^1], Is.EqualTo(1.0 / Math.Pow(500000, 30.0 / 32) / 32).Within(1e-4).Percent);
    }

    [Test]
    public void Config_round_trips_through_ToJson()
    {
        foreach (var c in TinyConfigs.All())
            Assert.That(ModelConfig.Parse(c.ToJson(), "c") with { StoredDType = c.StoredDType }, Is.EqualTo(c));
    }
}
