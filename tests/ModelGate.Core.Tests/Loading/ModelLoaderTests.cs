using ModelGate.Core;
using ModelGate.Core.Architectures;
using ModelGate.Core.Loading;
using ModelGate.Core.Tests.Architectures;
using ModelGate.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Tests.Loading;

public class ModelLoaderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        TorchRuntime.EnsureLoaded();
        set_num_threads(1);
        _dir = SharedFixtures.TempDir("loader");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private static IEnumerable<TestCaseData> Configs() => TinyConfigs.All().Select(c => new TestCaseData(c).SetArgDisplayNames(c.ModelType + (c.TieWordEmbeddings ? "-tied" : "")));

    private static float MaxDiff(TransformerCausalLM a, TransformerCausalLM b)
    {
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 7, 3, 9, 2 }).unsqueeze(0);
        return (a.Forward(ids) - b.Forward(ids)).abs().max().item<float>();
    }

    [TestCaseSource(nameof(Configs))]
    public void Saved_model_reloads_with_identical_logits(ModelConfig config)
    {
        using var original = TransformerCausalLM.CreateRandom(config, seed: 21);
        original.Save(_dir);
        using var reloaded = ModelLoader.LoadModel(_dir, ModelConfig.Load(Path.Combine(_dir, "config.json")), CPU);
        Assert.That(MaxDiff(original, reloaded), Is.EqualTo(0f));
        if (config.TieWordEmbeddings)
            using (var source = SafetensorsWeightSource.OpenDirectory(_dir))
                Assert.That(source.Entries.ContainsKey("lm_head.weight"), Is.False, "tied head is stored once");
    }

    [Test]
    public void Gpt2_loads_with_and_without_transformer_prefix_and_ignores_attention_buffers()
    {
        var config = TinyConfigs.Gpt2();
        using var original = TransformerCausalLM.CreateRandom(config, seed: 4);
        original.Save(_dir);
        using var withPrefix = ModelLoader.LoadModel(_dir, config, CPU);
        Assert.That(MaxDiff(original, withPrefix), Is.EqualTo(0f));

        // Re-save the same weights as GPT2Model does (no prefix), plus the legacy causal-mask buffers.
        using (var scope = NewDisposeScope())
        {
            var bare = original.Weights.ToDictionary(kv => kv.Key["transformer.".Length..], kv => kv.Value.detach());
            bare["h.0.attn.bias"] = ones(1, 1, 64, 64);
            bare["h.0.attn.masked_bias"] = tensor(-1e4f);
            SafetensorsWriter.Write(Path.Combine(_dir, "model.safetensors"), bare);
        }
        using var noPrefix = ModelLoader.LoadModel(_dir, config, CPU);
        Assert.That(MaxDiff(original, noPrefix), Is.EqualTo(0f));
        Assert.That(noPrefix.named_parameters().First().name, Is.EqualTo("wte.weight"));
    }

    private void SaveWithEdit(Action<Dictionary<string, Tensor>> edit)
    {
        using var model = TransformerCausalLM.CreateRandom(TinyConfigs.Llama(), seed: 1);
        model.Save(_dir);
        using var scope = NewDisposeScope();
        var w = model.Weights.ToDictionary(kv => kv.Key, kv => kv.Value.detach());
        edit(w);
        SafetensorsWriter.Write(Path.Combine(_dir, "model.safetensors"), w);
    }

    private string LoadError()
    {
        var e = Assert.Throws<ModelGateException>(() => ModelLoader.LoadModel(_dir, ModelConfig.Load(Path.Combine(_dir, "config.json")), CPU).Dispose());
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.InvalidModel));
        Assert.That(e.Message, Does.Contain(_dir));
        return e.Message;
    }

    [Test]
    public void Missing_tensor_is_rejected()
    {
        SaveWithEdit(w => w.Remove("model.layers.1.mlp.up_proj.weight"));
        Assert.That(LoadError(), Does.Contain("'model.layers.1.mlp.up_proj.weight' is missing"));
    }

    [Test]
    public void Unexpected_tensor_is_rejected()
    {
        SaveWithEdit(w => w["model.layers.0.backdoor.weight"] = zeros(2));
        Assert.That(LoadError(), Does.Contain("unexpected tensor 'model.layers.0.backdoor.weight'").And.Contain("model.safetensors"));
    }

    [Test]
    public void Shape_mismatch_is_rejected()
    {
        SaveWithEdit(w => w["model.norm.weight"] = ones(31));
        Assert.That(LoadError(), Does.Contain("'model.norm.weight' has shape [31]").And.Contain("[32]"));
    }

    [Test]
    public void Missing_tokenizer_and_config_are_rejected_naming_the_file()
    {
        using (var model = TransformerCausalLM.CreateRandom(TinyConfigs.Llama(), seed: 1)) model.Save(_dir);
        var e = Assert.Throws<ModelGateException>(() => ModelLoader.Load(_dir, CPU).Dispose());
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.InvalidModel));
        Assert.That(e.Message, Does.Contain("tokenizer.json"));
        File.Delete(Path.Combine(_dir, "config.json"));
        e = Assert.Throws<ModelGateException>(() => ModelLoader.Load(_dir, CPU).Dispose());
        Assert.That(e!.Message, Does.Contain("config.json is missing"));
    }

    [Test]
    public void Full_load_brings_tokenizer_prompts_and_sha256_digests()
    {
        var tok = SharedFixtures.RequireShared("models", "gpt2-tokenizer", "tokenizer.json");
        var config = TinyConfigs.Gpt2() with { VocabSize = 50257 };
        using (var model = TransformerCausalLM.CreateRandom(config, seed: 1)) model.Save(_dir);
        File.Copy(tok, Path.Combine(_dir, "tokenizer.json"));
        using var loaded = ModelLoader.Load(_dir, CPU);
        Assert.That(loaded.Tokenizer.VocabSize, Is.EqualTo(50257));
        Assert.That(loaded.Model.Info.Architecture, Is.EqualTo("GPT2LMHeadModel"));
        var weights = loaded.Files.Single(f => f.Path == "model.safetensors");
        Assert.That(weights.Kind, Is.EqualTo(ModelGate.Core.Safety.FileKind.Safetensors));
        Assert.That(weights.Size, Is.EqualTo(new FileInfo(Path.Combine(_dir, "model.safetensors")).Length));
        using var sha = System.Security.Cryptography.SHA256.Create();
        Assert.That(weights.Sha256, Is.EqualTo(Convert.ToHexStringLower(sha.ComputeHash(File.ReadAllBytes(Path.Combine(_dir, "model.safetensors"))))));
        Assert.That(loaded.Files.Select(f => f.Path), Is.EquivalentTo(new[] { "config.json", "model.safetensors", "tokenizer.json" }));
    }

    [Test]
    public void Tied_model_ignores_a_stored_head_copy_and_untied_model_uses_it()
    {
        var tied = TinyConfigs.Llama(tied: true);
        using var original = TransformerCausalLM.CreateRandom(tied, seed: 6);
        original.Save(_dir);
        using (var scope = NewDisposeScope())
        {
            var w = original.Weights.ToDictionary(kv => kv.Key, kv => kv.Value.detach());
            w["lm_head.weight"] = zeros(40, 32); // HF would overwrite it with the embedding; the scan must see what runs
            SafetensorsWriter.Write(Path.Combine(_dir, "model.safetensors"), w);
        }
        using var reloaded = ModelLoader.LoadModel(_dir, tied, CPU);
        Assert.That(MaxDiff(original, reloaded), Is.EqualTo(0f));
        // Untied, the stored (zero) head is the one used.
        using var untied = ModelLoader.LoadModel(_dir, tied with { TieWordEmbeddings = false }, CPU);
        using var s2 = NewDisposeScope();
        Assert.That(untied.Forward(tensor(new long[] { 1, 2 }).unsqueeze(0)).abs().max().item<float>(), Is.EqualTo(0f));
    }
}
