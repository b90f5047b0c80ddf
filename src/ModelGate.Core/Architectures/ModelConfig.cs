using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelGate.Core.Architectures;

/// <summary>Block layout families ModelGate implements.</summary>
public enum ArchitectureFamily
{
    /// <summary>Llama, Mistral, Qwen2: RMSNorm, rotary positions, SwiGLU MLP, grouped-query attention.</summary>
    Llama,
    /// <summary>GPT-2: LayerNorm, learned positions, fused Conv1D qkv, GELU MLP.</summary>
    Gpt2,
}

/// <summary>How rotary frequencies are rescaled for long context (HF rope_scaling / rope_parameters).</summary>
public sealed record RopeScaling(string Type, double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositions);

/// <summary>
/// The subset of a Hugging Face config.json that decides the network's shapes and numerics, normalised across
/// model types. Parse with <see cref="Load"/>/<see cref="Parse"/>, which fail closed on anything unsupported.
/// </summary>
public sealed record ModelConfig
{
    public static readonly IReadOnlyList<string> SupportedModelTypes = new[] { "llama", "mistral", "qwen2", "gpt2" };

    public required string ModelType { get; init; }
    public required ArchitectureFamily Family { get; init; }
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int MaxPositions { get; init; }
    public required double NormEps { get; init; }
    public double RopeTheta { get; init; } = 10000;
    public RopeScaling? RopeScaling { get; init; }
    /// <summary>Attention window (Mistral); null means full causal attention.</summary>
    public int? SlidingWindow { get; init; }
    /// <summary>Bias on q/k/v projections (Qwen2 always, Llama when attention_bias).</summary>
    public bool QkvBias { get; init; }
    /// <summary>Bias on the attention output projection (Llama attention_bias).</summary>
    public bool OutputBias { get; init; }
    public bool TieWordEmbeddings { get; init; }
    /// <summary>GPT-2 checkpoints saved from GPT2Model (no LM head wrapper) lack the "transformer." prefix.</summary>
    public string Gpt2Prefix { get; init; } = "transformer.";
    public string StoredDType { get; init; } = "float32";
    public int? BosTokenId { get; init; }
    public int? EosTokenId { get; init; }

    public static ModelConfig Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, "cannot read config.json: " + e.Message, path);
        }
        return Parse(text, path);
    }

    public static ModelConfig Parse(string json, string file)
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not an object"); }
        catch (JsonException e) { throw Bad(file, "config.json is not a valid JSON object: " + e.Message.Split('\n')[0]); }
        var r = new Reader(root, file);
        var modelType = r.Str("model_type") ?? throw Bad(file, "config.json has no model_type");
        var cfg = modelType switch
        {
            "llama" or "mistral" or "qwen2" => ParseLlama(r, modelType),
            "gpt2" => ParseGpt2(r),
            _ => throw new ModelGateException(ErrorKind.Unsupported,
                $"model_type '{modelType}' is not supported (supported: {string.Join(", ", SupportedModelTypes)})", file),
        };
        Validate(cfg, file);
        return cfg;
    }

    private static ModelConfig ParseLlama(Reader r, string modelType)
    {
        var hidden = r.Int("hidden_size");
        var heads = r.Int("num_attention_heads");
        var (theta, scaling) = ParseRope(r);
        int? window = null;
        if (modelType == "mistral") window = r.OptInt("sliding_window");
        if (modelType == "qwen2" && r.OptBool("use_sliding_window") == true)
            throw new ModelGateException(ErrorKind.Unsupported, "qwen2 with use_sliding_window=true is not supported", r.File);
        var attentionBias = r.OptBool("attention_bias") ?? false;
        return new ModelConfig
        {
            ModelType = modelType,
            Family = ArchitectureFamily.Llama,
            VocabSize = r.Int("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = r.Int("intermediate_size"),
            NumLayers = r.Int("num_hidden_layers"),
            NumHeads = heads,
            NumKvHeads = r.OptInt("num_key_value_heads") ?? heads,
            HeadDim = r.OptInt("head_dim") ?? (heads > 0 ? hidden / heads : 0),
            MaxPositions = r.OptInt("max_position_embeddings") ?? 2048,
            NormEps = r.OptDouble("rms_norm_eps") ?? 1e-6,
            RopeTheta = theta,
            RopeScaling = scaling,
            SlidingWindow = window,
            QkvBias = modelType == "qwen2" || attentionBias,
            OutputBias = modelType != "qwen2" && attentionBias,
            TieWordEmbeddings = r.OptBool("tie_word_embeddings") ?? false,
            StoredDType = r.Str("torch_dtype") ?? r.Str("dtype") ?? "float32",
            BosTokenId = r.OptInt("bos_token_id"),
            EosTokenId = r.OptFirstInt("eos_token_id"),
        };
    }

    /// <summary>Reads rope_theta / rope_scaling (older configs) or rope_parameters (newer transformers releases).</summary>
    private static (double Theta, RopeScaling? Scaling) ParseRope(Reader r)
    {
        var theta = r.OptDouble("rope_theta") ?? 10000;
        var scalingObj = r.Obj("rope_parameters") ?? r.Obj("rope_scaling");
        if (scalingObj is null) return (theta, null);
        var s = new Reader(scalingObj, r.File);
        theta = s.OptDouble("rope_theta") ?? theta;
        var type = s.Str("rope_type") ?? s.Str("type") ?? "default";
        switch (type)
        {
            case "default":
                return (theta, null);
            case "linear":
                return (theta, new RopeScaling("linear", s.Double("factor"), 0, 0, 0));
            case "llama3":
                return (theta, new RopeScaling("llama3", s.Double("factor"), s.OptDouble("low_freq_factor") ?? 1,
                    s.OptDouble("high_freq_factor") ?? 4, s.OptInt("original_max_position_embeddings") ?? 8192));
            default:
                throw new ModelGateException(ErrorKind.Unsupported,
                    $"rope scaling type '{type}' is not supported (supported: default, linear, llama3)", r.File);
        }
    }

    private static ModelConfig ParseGpt2(Reader r)
    {
        var hidden = r.Int("n_embd");
        var heads = r.Int("n_head");
        var act = r.Str("activation_function") ?? "gelu_new";
        if (act is not ("gelu_new" or "gelu" or "gelu_pytorch_tanh"))
            throw new ModelGateException(ErrorKind.Unsupported, $"gpt2 activation_function '{act}' is not supported", r.File);
        return new ModelConfig
        {
            ModelType = "gpt2",
            Family = ArchitectureFamily.Gpt2,
            VocabSize = r.Int("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = r.OptInt("n_inner") ?? 4 * hidden,
            NumLayers = r.Int("n_layer"),
            NumHeads = heads,
            NumKvHeads = heads,
            HeadDim = heads > 0 ? hidden / heads : 0,
            MaxPositions = r.OptInt("n_positions") ?? 1024,
            NormEps = r.OptDouble("layer_norm_epsilon") ?? 1e-5,
            TieWordEmbeddings = true,
            StoredDType = r.Str("torch_dtype") ?? r.Str("dtype") ?? "float32",
            BosTokenId = r.OptInt("bos_token_id"),
            EosTokenId = r.OptFirstInt("eos_token_id"),
        };
    }

    private static void Validate(ModelConfig c, string file)
    {
        void Positive(string what, long v) { if (v <= 0) throw Bad(file, $"config.json: {what} must be positive (got {v})"); }
        Positive("vocab size", c.VocabSize);
        Positive("hidden size", c.HiddenSize);
        Positive("intermediate size", c.IntermediateSize);
        Positive("layer count", c.NumLayers);
        Positive("attention heads", c.NumHeads);
        Positive("key/value heads", c.NumKvHeads);
        Positive("head dim", c.HeadDim);
        if (c.NumHeads % c.NumKvHeads != 0)
            throw Bad(file, $"config.json: {c.NumHeads} attention heads are not a multiple of {c.NumKvHeads} key/value heads");
        if (c.HeadDim % 2 != 0 && c.Family == ArchitectureFamily.Llama) throw Bad(file, "config.json: head_dim must be even for rotary embeddings");
        if (c.Family == ArchitectureFamily.Gpt2 && c.HiddenSize % c.NumHeads != 0)
            throw Bad(file, "config.json: n_embd is not a multiple of n_head");
    }

    /// <summary>Writes the config back as a Hugging Face config.json (used by Save and the converters).</summary>
    public string ToJson()
    {
        var o = new JsonObject { ["model_type"] = ModelType };
        if (Family == ArchitectureFamily.Gpt2)
        {
            o["architectures"] = new JsonArray("GPT2LMHeadModel");
            o["vocab_size"] = VocabSize; o["n_embd"] = HiddenSize; o["n_inner"] = IntermediateSize; o["n_layer"] = NumLayers;
            o["n_head"] = NumHeads; o["n_positions"] = MaxPositions; o["layer_norm_epsilon"] = NormEps;
            o["activation_function"] = "gelu_new"; o["tie_word_embeddings"] = true;
        }
        else
        {
            o["architectures"] = new JsonArray(ModelType switch { "mistral" => "MistralForCausalLM", "qwen2" => "Qwen2ForCausalLM", _ => "LlamaForCausalLM" });
            o["vocab_size"] = VocabSize; o["hidden_size"] = HiddenSize; o["intermediate_size"] = IntermediateSize;
            o["num_hidden_layers"] = NumLayers; o["num_attention_heads"] = NumHeads; o["num_key_value_heads"] = NumKvHeads;
            o["head_dim"] = HeadDim; o["max_position_embeddings"] = MaxPositions; o["rms_norm_eps"] = NormEps;
            o["rope_theta"] = RopeTheta; o["tie_word_embeddings"] = TieWordEmbeddings;
            if (ModelType == "llama" && QkvBias) o["attention_bias"] = true;
            if (SlidingWindow is int w) o["sliding_window"] = w;
            if (RopeScaling is { } s)
                o["rope_scaling"] = s.Type == "linear"
                    ? new JsonObject { ["rope_type"] = "linear", ["factor"] = s.Factor }
                    : new JsonObject
                    {
                        ["rope_type"] = s.Type, ["factor"] = s.Factor, ["low_freq_factor"] = s.LowFreqFactor,
                        ["high_freq_factor"] = s.HighFreqFactor, ["original_max_position_embeddings"] = s.OriginalMaxPositions,
                    };
        }
        if (BosTokenId is int b) o["bos_token_id"] = b;
        if (EosTokenId is int e) o["eos_token_id"] = e;
        o["torch_dtype"] = StoredDType;
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static ModelGateException Bad(string file, string message) => new(ErrorKind.InvalidModel, message, file);

    /// <summary>Typed access to config fields with errors that name the field and the file.</summary>
    private sealed class Reader(JsonObject o, string file)
    {
        public string File => file;

        public string? Str(string k) => o[k] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        public JsonObject? Obj(string k) => o[k] as JsonObject;

        public int Int(string k) => OptInt(k) ?? throw Bad(file, $"config.json: missing integer '{k}'");

        public double Double(string k) => OptDouble(k) ?? throw Bad(file, $"config.json: missing number '{k}'");

        public int? OptInt(string k)
        {
            var n = o[k];
            if (n is null) return null;
            if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue)
                return (int)d;
            throw Bad(file, $"config.json: '{k}' must be an integer (got {n.ToJsonString()})");
        }

        public int? OptFirstInt(string k) => o[k] is JsonArray a ? (a.Count > 0 && a[0] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null) : OptInt(k);

        public double? OptDouble(string k)
        {
            var n = o[k];
            if (n is null) return null;
            if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return v.GetValue<double>();
            if (n is JsonValue s && s.TryGetValue<string>(out var str) && double.TryParse(str, NumberStyles.Float, CultureInfo.InvariantCulture, out var p)) return p;
            throw Bad(file, $"config.json: '{k}' must be a number (got {n.ToJsonString()})");
        }

        public bool? OptBool(string k) => o[k] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            var n => throw Bad(file, $"config.json: '{k}' must be true or false (got {n.ToJsonString()})"),
        };
    }
}
