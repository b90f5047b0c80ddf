using TorchSharp.Modules;
using ModelGate.Core.Inference;
using ModelGate.Core.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Architectures;

/// <summary>
/// Decoder-only transformer for the Llama family (Llama, Mistral, Qwen2) and GPT-2. Parameters are registered under
/// their Hugging Face checkpoint names (as Microsoft.ML.GenAI does), so state_dict() round-trips with safetensors.
/// The forward pass is written out functionally over those parameters, which keeps padding, caching and
/// input-embedding gradients in one readable place.
/// </summary>
public sealed class TransformerCausalLM : nn.Module, ICausalLM
{
    private readonly Dictionary<string, Parameter> _p = new(StringComparer.Ordinal);
    private readonly Tensor? _invFreq;
    private readonly ScalarType _dtype;
    private readonly string _h; // GPT-2 name prefix

    /// <summary>Takes ownership of <paramref name="weights"/> (HF names → tensors already on the target device).</summary>
    public TransformerCausalLM(ModelConfig config, IReadOnlyDictionary<string, Tensor> weights, Device device, ScalarType computeDtype)
        : base(config.ModelType)
    {
        Config = config;
        Device = device;
        _dtype = computeDtype;
        _h = config.Gpt2Prefix;
        var roots = new Dictionary<string, WeightNode>(StringComparer.Ordinal);
        foreach (var (name, shape) in TensorLayout.Expected(config))
        {
            if (!weights.TryGetValue(name, out var t)) throw new ArgumentException($"weight '{name}' missing");
            if (!t.shape.SequenceEqual(shape)) throw new ArgumentException($"weight '{name}' has shape [{string.Join(",", t.shape)}]");
            var param = new Parameter(t.to(computeDtype, device).detach().DetachFromDisposeScope(), requires_grad: false);
            param.DetachFromDisposeScope();
            _p[name] = param;
            var dot = name.IndexOf('.');
            var root = name[..dot];
            if (!roots.TryGetValue(root, out var node))
            {
                node = new WeightNode(root);
                roots[root] = node;
                register_module(root, node);
            }
            node.Add(name[(dot + 1)..], param);
        }
        if (config.Family == ArchitectureFamily.Llama)
            _invFreq = tensor(Rope.InverseFrequencies(config), device: device).DetachFromDisposeScope();
        ParameterCount = _p.Values.Sum(v => v.numel());
    }

    public ModelConfig Config { get; }

    public Device Device { get; }

    public long ParameterCount { get; }

    public ModelInfo Info => new(Config.ModelType, ArchitectureName, ParameterCount, Config.VocabSize, Config.HiddenSize,
        Config.NumLayers, Config.MaxPositions, Config.StoredDType, _dtype.ToString().ToLowerInvariant());

    private string ArchitectureName => Config.ModelType switch
    {
        "gpt2" => "GPT2LMHeadModel", "mistral" => "MistralForCausalLM", "qwen2" => "Qwen2ForCausalLM", _ => "LlamaForCausalLM",
    };

    public Tensor EmbeddingMatrix => _p[Config.Family == ArchitectureFamily.Gpt2 ? _h + "wte.weight" : "model.embed_tokens.weight"];

    /// <summary>The output head; with tied embeddings this is the embedding matrix itself (re-tied on every load).</summary>
    private Tensor LmHead => Config.TieWordEmbeddings ? EmbeddingMatrix : _p["lm_head.weight"];

    /// <summary>A model with random weights (std 0.02; norm gains 1 ± 0.02), deterministic for a seed.</summary>
    public static TransformerCausalLM CreateRandom(ModelConfig config, long seed, Device? device = null)
    {
        TorchRuntime.EnsureLoaded();
        var gen = new Generator((ulong)seed);
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (var scope = NewDisposeScope())
        {
            foreach (var (name, shape) in TensorLayout.Expected(config))
            {
                var isNorm = name.Contains("norm") || name.Contains("ln_");
                // Small random biases and norm gains (not 0 and 1) so that a mis-wired bias or norm changes the output
                // and the save/load and layout tests can see it.
                var noise = randn(shape, generator: gen) * 0.02f;
                var t = isNorm && !name.EndsWith(".bias", StringComparison.Ordinal) ? noise + 1f : noise;
                weights[name] = t.DetachFromDisposeScope();
            }
        }
        try { return new TransformerCausalLM(config, weights, device ?? CPU, ScalarType.Float32); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
    }

    /// <summary>Turns gradients on or off for every weight (the canary trainer fine-tunes through this).</summary>
    public void SetTrainable(bool trainable)
    {
        foreach (var p in _p.Values) p.requires_grad = trainable;
    }

    /// <summary>Named weights under their checkpoint names (tied head not repeated).</summary>
    public IReadOnlyDictionary<string, Tensor> Weights => _p.ToDictionary(kv => kv.Key, kv => (Tensor)kv.Value, StringComparer.Ordinal);

    /// <summary>Writes config.json and model.safetensors (float32) into <paramref name="dir"/>.</summary>
    public void Save(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), (Config with { StoredDType = "float32" }).ToJson());
        using var scope = NewDisposeScope();
        var tensors = _p.ToDictionary(kv => kv.Key, kv => kv.Value.detach().to(ScalarType.Float32, CPU));
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    public KvCache NewCache(int batchSize) => new(Config.NumLayers, batchSize);

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        var ids = inputIds.to(ScalarType.Int64, Device);
        return Run(EmbeddingMatrix.index_select(0, ids.reshape(-1)).reshape(ids.shape[0], ids.shape[1], -1), attentionMask, cache);
    }

    public Tensor ForwardEmbeddings(Tensor inputsEmbeds, Tensor? attentionMask = null) =>
        Run(inputsEmbeds.to(_dtype, Device), attentionMask, null);

    private Tensor Run(Tensor x, Tensor? attentionMask, KvCache? cache)
    {
        long b = x.shape[0], t = x.shape[1];
        var newMask = (attentionMask ?? ones(b, t, dtype: ScalarType.Int64)).to(ScalarType.Int64, Device);
        var fullMask = cache is null ? newMask : cache.AppendMask(newMask);
        var s = fullMask.shape[1];
        // Positions count real tokens only, so a left-padded row sees the same positions as its unpadded prompt.
        var positions = (fullMask.cumsum(1) - 1).clamp_min(0).narrow(1, s - t, t);
        var bias = AttentionBias(fullMask, t);
        if (Config.Family == ArchitectureFamily.Gpt2)
            return Gpt2(x, positions, bias, cache);
        return Llama(x, positions, bias, cache);
    }

    /// <summary>Additive mask [B, 1, T, S]: causal, no padding keys, optional sliding window. A large finite
    /// negative (not -inf) keeps all-padding query rows finite; their outputs are never used.</summary>
    private Tensor AttentionBias(Tensor fullMask, long t)
    {
        var s = fullMask.shape[1];
        var q = arange(s - t, s, device: Device).unsqueeze(1);
        var k = arange(s, device: Device).unsqueeze(0);
        var allowed = k.le(q);
        if (Config.SlidingWindow is int w) allowed = allowed.logical_and((q - k).lt(w));
        var keep = allowed.unsqueeze(0).logical_and(fullMask.unsqueeze(1).eq(1)).unsqueeze(1);
        return zeros(keep.shape, dtype: ScalarType.Float32, device: Device).masked_fill(keep.logical_not(), -1e9f);
    }

    private Tensor Llama(Tensor x, Tensor positions, Tensor bias, KvCache? cache)
    {
        var (cos, sin) = Rope.CosSin(_invFreq!, positions, _dtype);
        for (var l = 0; l < Config.NumLayers; l++)
        {
            var p = $"model.layers.{l}.";
            var h = RmsNorm(x, _p[p + "input_layernorm.weight"]);
            x = x + LlamaAttention(h, p + "self_attn.", l, cos, sin, bias, cache);
            h = RmsNorm(x, _p[p + "post_attention_layernorm.weight"]);
            var gate = nn.functional.silu(Linear(h, p + "mlp.gate_proj"));
            x = x + Linear(gate * Linear(h, p + "mlp.up_proj"), p + "mlp.down_proj");
        }
        x = RmsNorm(x, _p["model.norm.weight"]);
        return x.matmul(LmHead.t()).to(ScalarType.Float32);
    }

    private Tensor LlamaAttention(Tensor h, string p, int layer, Tensor cos, Tensor sin, Tensor bias, KvCache? cache)
    {
        long b = h.shape[0], t = h.shape[1], d = Config.HeadDim;
        var q = Linear(h, p + "q_proj").view(b, t, Config.NumHeads, d).transpose(1, 2);
        var k = Linear(h, p + "k_proj").view(b, t, Config.NumKvHeads, d).transpose(1, 2);
        var v = Linear(h, p + "v_proj").view(b, t, Config.NumKvHeads, d).transpose(1, 2);
        q = Rope.Apply(q, cos, sin);
        k = Rope.Apply(k, cos, sin);
        if (cache is not null) (k, v) = cache.Append(layer, k, v);
        var rep = Config.NumHeads / Config.NumKvHeads;
        if (rep > 1)
        {
            k = k.repeat_interleave(rep, 1);
            v = v.repeat_interleave(rep, 1);
        }
        var o = Attend(q, k, v, bias, d);
        return Linear(o.transpose(1, 2).reshape(b, t, (long)Config.NumHeads * d), p + "o_proj");
    }

    private Tensor Gpt2(Tensor x, Tensor positions, Tensor bias, KvCache? cache)
    {
        x = x + _p[_h + "wpe.weight"].index_select(0, positions.reshape(-1)).reshape(x.shape);
        long b = x.shape[0], t = x.shape[1], hs = Config.HiddenSize, d = Config.HeadDim;
        for (var l = 0; l < Config.NumLayers; l++)
        {
            var p = $"{_h}h.{l}.";
            var h = LayerNorm(x, p + "ln_1");
            var qkv = Conv1D(h, p + "attn.c_attn").split(hs, -1);
            var q = qkv[0].view(b, t, Config.NumHeads, d).transpose(1, 2);
            var k = qkv[1].view(b, t, Config.NumHeads, d).transpose(1, 2);
            var v = qkv[2].view(b, t, Config.NumHeads, d).transpose(1, 2);
            if (cache is not null) (k, v) = cache.Append(l, k, v);
            var o = Attend(q, k, v, bias, d).transpose(1, 2).reshape(b, t, hs);
            x = x + Conv1D(o, p + "attn.c_proj");
            h = LayerNorm(x, p + "ln_2");
            x = x + Conv1D(GeluTanh(Conv1D(h, p + "mlp.c_fc")), p + "mlp.c_proj");
        }
        x = LayerNorm(x, _h + "ln_f");
        return x.matmul(LmHead.t()).to(ScalarType.Float32);
    }

    private Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor bias, long headDim)
    {
        var scores = q.matmul(k.transpose(-2, -1)).to(ScalarType.Float32) / Math.Sqrt(headDim) + bias;
        return scores.softmax(-1).to(_dtype).matmul(v);
    }

    private Tensor Linear(Tensor x, string name) =>
        nn.functional.linear(x, _p[name + ".weight"], _p.TryGetValue(name + ".bias", out var bias) ? bias : null);

    /// <summary>GPT-2's Conv1D: y = x W + b with W stored [in, out].</summary>
    private Tensor Conv1D(Tensor x, string name) => x.matmul(_p[name + ".weight"]) + _p[name + ".bias"];

    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        var xf = x.to(ScalarType.Float32);
        var normed = xf * (xf.pow(2).mean(new long[] { -1 }, keepdim: true) + Config.NormEps).rsqrt();
        return weight * normed.to(_dtype);
    }

    private Tensor LayerNorm(Tensor x, string name) =>
        nn.functional.layer_norm(x, new[] { x.shape[^1] }, _p[name + ".weight"], _p[name + ".bias"], Config.NormEps);

    /// <summary>GPT-2's gelu_new (tanh approximation).</summary>
    private static Tensor GeluTanh(Tensor x) =>
        0.5 * x * (1.0 + (Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh());

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var p in _p.Values) p.Dispose();
            _invFreq?.Dispose();
        }
        base.Dispose(disposing);
    }
}
