using ModelGate.Core.Architectures;
using ModelGate.Core.Inference;
using ModelGate.Core.Safety;
using ModelGate.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Loading;

/// <summary>
/// Loads a Hugging Face model directory (config.json, safetensors weights, tokenizer.json) into a ready
/// <see cref="LoadedModel"/>. Every tensor the config implies must be present with the right shape, and nothing
/// else may be, so a checkpoint carrying extra or mis-shaped weights is refused rather than silently half-loaded.
/// </summary>
public static class ModelLoader
{
    public static LoadedModel Load(string dir, Device device)
    {
        TorchRuntime.EnsureLoaded();
        if (!Directory.Exists(dir)) throw new ModelGateException(ErrorKind.NothingScannable, "model directory does not exist", dir);
        var configPath = Path.Combine(dir, "config.json");
        if (!File.Exists(configPath)) throw new ModelGateException(ErrorKind.InvalidModel, "config.json is missing", configPath);
        var config = ModelConfig.Load(configPath);
        // Tokenizer first: it is cheap and a missing one should not cost a weight load.
        var tokenizer = TokenizerLoader.Load(dir);
        var prompts = PromptFormatterFactory.Create(dir);
        var model = LoadModel(dir, config, device);
        TuneThreads(model);
        try
        {
            return new LoadedModel(dir, model, tokenizer, prompts, FileInventory.Build(dir));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loads only the network (no tokenizer), for tools that handle tokens themselves.</summary>
    public static TransformerCausalLM LoadModel(string dir, ModelConfig config, Device device)
    {
        using var source = SafetensorsWeightSource.OpenDirectory(dir);
        var describe = source.Files.Count == 1 ? source.Files[0] : Path.Combine(dir, "model.safetensors.index.json");
        var expected = TensorLayout.Expected(config);
        var want = expected.ToDictionary(e => e.Name, e => e.Shape, StringComparer.Ordinal);

        // GPT-2 checkpoints saved from GPT2Model have no "transformer." prefix; detect it from the names.
        if (config.Family == ArchitectureFamily.Gpt2 && !source.Entries.ContainsKey("transformer.wte.weight") && source.Entries.ContainsKey("wte.weight"))
        {
            config = config with { Gpt2Prefix = "" };
            expected = TensorLayout.Expected(config);
            want = expected.ToDictionary(e => e.Name, e => e.Shape, StringComparer.Ordinal);
        }

        foreach (var name in source.Entries.Keys.OrderBy(n => n, StringComparer.Ordinal))
            if (!want.ContainsKey(name) && !TensorLayout.IsIgnorableBuffer(config, name))
                throw new ModelGateException(ErrorKind.InvalidModel,
                    $"unexpected tensor '{name}' (not part of a {config.ModelType} model with this config.json)", source.Entries[name].File);
        foreach (var (name, shape) in expected)
        {
            if (!source.Entries.TryGetValue(name, out var entry))
                throw new ModelGateException(ErrorKind.InvalidModel, $"tensor '{name}' is missing", describe);
            if (!entry.Shape.SequenceEqual(shape))
                throw new ModelGateException(ErrorKind.InvalidModel,
                    $"tensor '{name}' has shape [{string.Join(", ", entry.Shape)}] but config.json implies [{string.Join(", ", shape)}]", entry.File);
        }

        var computeDtype = ComputeDtype(config, device);
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, _) in expected) weights[name] = source.Read(name, computeDtype, device).DetachFromDisposeScope();
            return new TransformerCausalLM(config, weights, device, computeDtype);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    /// <summary>Tiny models run fastest on one CPU thread: their matmuls are too small to split, and on a busy
    /// machine extra threads were measured an order of magnitude slower. Larger models get every core.</summary>
    public static void TuneThreads(TransformerCausalLM model)
    {
        if (model.Device.type != DeviceType.CPU) return;
        torch.set_num_threads(model.ParameterCount < 20_000_000 ? 1 : Math.Max(1, Environment.ProcessorCount));
    }

    /// <summary>fp32 on CPU (half-precision matmuls there are slow and less exact); the stored half dtype on GPU.</summary>
    public static ScalarType ComputeDtype(ModelConfig config, Device device) =>
        device.type == DeviceType.CPU ? ScalarType.Float32
        : config.StoredDType switch { "bfloat16" => ScalarType.BFloat16, "float16" => ScalarType.Float16, _ => ScalarType.Float32 };

}
