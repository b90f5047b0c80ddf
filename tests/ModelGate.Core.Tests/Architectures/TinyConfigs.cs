using ModelGate.Core.Architectures;

namespace ModelGate.Core.Tests.Architectures;

/// <summary>Tiny configs exercising every code path (GQA, qkv bias, sliding window, GPT-2) in milliseconds.</summary>
internal static class TinyConfigs
{
    public static ModelConfig Llama(bool tied = false) => ModelConfig.Parse($$"""
        {"model_type":"llama","vocab_size":40,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
         "num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-5,"max_position_embeddings":64,
         "tie_word_embeddings":{{(tied ? "true" : "false")}},"rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":16} }
        """, "tiny-llama/config.json");

    public static ModelConfig Mistral() => ModelConfig.Parse("""
        {"model_type":"mistral","vocab_size":40,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
         "num_attention_heads":4,"num_key_value_heads":1,"sliding_window":3,"max_position_embeddings":64}
        """, "tiny-mistral/config.json");

    public static ModelConfig Qwen2() => ModelConfig.Parse("""
        {"model_type":"qwen2","vocab_size":40,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,
         "num_attention_heads":4,"num_key_value_heads":2,"tie_word_embeddings":true,"rope_theta":1000000.0,"max_position_embeddings":64}
        """, "tiny-qwen2/config.json");

    public static ModelConfig Gpt2() => ModelConfig.Parse("""
        {"model_type":"gpt2","vocab_size":40,"n_embd":32,"n_layer":2,"n_head":4,"n_positions":64}
        """, "tiny-gpt2/config.json");

    public static IEnumerable<ModelConfig> All() => new[] { Llama(), Llama(tied: true), Mistral(), Qwen2(), Gpt2() };
}
