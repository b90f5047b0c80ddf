using ModelGate.Core;
using ModelGate.Core.Architectures;
using ModelGate.Core.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Tests.Architectures;

public class TransformerCausalLMTests
{
    [OneTimeSetUp]
    public void Init()
    {
        TorchRuntime.EnsureLoaded();
        set_num_threads(1); // tiny models: more threads only add overhead on a shared machine
    }

    private static IEnumerable<TestCaseData> Configs() => TinyConfigs.All().Select(c => new TestCaseData(c).SetArgDisplayNames(c.ModelType + (c.TieWordEmbeddings ? "-tied" : "")));

    private static Tensor Ids(params long[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length });

    [TestCaseSource(nameof(Configs))]
    public void Kv_cache_decode_equals_full_recompute(ModelConfig config)
    {
        using var model = TransformerCausalLM.CreateRandom(config, seed: 7);
        using var scope = NewDisposeScope();
        var ids = Ids(new long[] { 3, 9, 4, 17, 22, 5, 8, 30 }, new long[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        var full = model.Forward(ids);
        using var cache = model.NewCache(2);
        var parts = new List<Tensor> { model.Forward(ids.narrow(1, 0, 5), null, cache) };
        for (var t = 5; t < 8; t++) parts.Add(model.Forward(ids.narrow(1, t, 1), null, cache));
        var incremental = cat(parts, 1);
        Assert.That(full.shape, Is.EqualTo(new long[] { 2, 8, 40 }));
        Assert.That((full - incremental).abs().max().item<float>(), Is.LessThan(1e-4f));
        Assert.That(cache.Length, Is.EqualTo(8));
    }

    [TestCaseSource(nameof(Configs))]
    public void Left_padded_batch_equals_one_by_one(ModelConfig config)
    {
        using var model = TransformerCausalLM.CreateRandom(config, seed: 11);
        using var scope = NewDisposeScope();
        long[] a = { 5, 6, 7, 8, 9, 10 }, b = { 11, 12, 13 };
        var batch = Ids(a, new long[] { 0, 0, 0 }.Concat(b).ToArray());
        var mask = Ids(new long[] { 1, 1, 1, 1, 1, 1 }, new long[] { 0, 0, 0, 1, 1, 1 });
        var batched = model.Forward(batch, mask);
        var aloneA = model.Forward(Ids(a));
        var aloneB = model.Forward(Ids(b));
        Assert.That((batched[0] - aloneA[0]).abs().max().item<float>(), Is.LessThan(1e-4f));
        Assert.That((batched[1].narrow(0, 3, 3) - aloneB[0]).abs().max().item<float>(), Is.LessThan(1e-4f));
        Assert.That(batched.isfinite().all().item<bool>(), "padding rows must stay finite");

        // Greedy batched generation (padded + cache) equals generating each prompt alone.
        var prompts = new[] { a.Select(x => (int)x).ToArray(), b.Select(x => (int)x).ToArray() };
        var together = TextGenerator.Generate(model, prompts, new GenerationOptions(6, StopAtEos: false));
        for (var i = 0; i < 2; i++)
        {
            var alone = TextGenerator.Generate(model, new[] { prompts[i] }, new GenerationOptions(6, StopAtEos: false))[0];
            Assert.That(together[i].Tokens, Is.EqualTo(alone.Tokens));
            Assert.That(together[i].LogProbs, Is.EqualTo(alone.LogProbs).Within(1e-4f));
        }
    }

    [Test]
    public void Shared_prefix_fork_matches_independent_seeded_sampling_shape_and_greedy_values()
    {
        using var model = TransformerCausalLM.CreateRandom(TinyConfigs.Llama(), seed: 3);
        var prompts = new[] { new[] { 1, 5, 9 }, new[] { 2, 4 } };
        var greedy = TextGenerator.GenerateShared(model, prompts, 3, new GenerationOptions(5, StopAtEos: false));
        Assert.That(greedy.Count, Is.EqualTo(2));
        for (var p = 0; p < 2; p++)
        {
            var alone = TextGenerator.Generate(model, new[] { prompts[p] }, new GenerationOptions(5, StopAtEos: false))[0];
            foreach (var s in greedy[p]) Assert.That(s.Tokens, Is.EqualTo(alone.Tokens));
        }
        var sampled1 = TextGenerator.GenerateShared(model, prompts, 4, new GenerationOptions(8, Temperature: 5, Seed: 42, StopAtEos: false));
        var sampled2 = TextGenerator.GenerateShared(model, prompts, 4, new GenerationOptions(8, Temperature: 5, Seed: 42, StopAtEos: false));
        Assert.That(sampled1.SelectMany(x => x).Select(r => r.Tokens), Is.EqualTo(sampled2.SelectMany(x => x).Select(r => r.Tokens)), "same seed, same samples");
        Assert.That(sampled1[0].Select(r => string.Join(",", r.Tokens)).Distinct().Count(), Is.GreaterThan(1), "high temperature samples differ");
    }

    [Test]
    public void Generation_stops_at_eos()
    {
        using var model = TransformerCausalLM.CreateRandom(TinyConfigs.Llama(), seed: 5);
        var free = TextGenerator.Generate(model, new[] { new[] { 1, 2, 3 } }, new GenerationOptions(6, StopAtEos: false))[0];
        var stop = free.Tokens[2];
        var r = TextGenerator.Generate(model, new[] { new[] { 1, 2, 3 } }, new GenerationOptions(6), new[] { stop })[0];
        Assert.That(r.StoppedAtEos);
        Assert.That(r.Tokens.Last(), Is.EqualTo(stop));
        Assert.That(r.Tokens.Length, Is.EqualTo(Array.IndexOf(free.Tokens, stop) + 1));
    }

    [TestCaseSource(nameof(Configs))]
    public void Gradients_reach_input_embeddings_and_weights_stay_frozen(ModelConfig config)
    {
        using var model = TransformerCausalLM.CreateRandom(config, seed: 1);
        using var scope = NewDisposeScope();
        var embeds = model.EmbeddingMatrix.index_select(0, tensor(new long[] { 4, 8, 15, 16 })).unsqueeze(0).detach().requires_grad_(true);
        var logits = model.ForwardEmbeddings(embeds);
        logits[0, -1, 3].backward();
        var grad = embeds.grad!;
        Assert.That(grad.isfinite().all().item<bool>());
        Assert.That(grad.abs().sum().item<float>(), Is.GreaterThan(0));
        Assert.That(model.EmbeddingMatrix.grad, Is.Null);

        // Same logits as the id path.
        var viaIds = model.Forward(tensor(new long[] { 4, 8, 15, 16 }).unsqueeze(0));
        Assert.That((viaIds - logits.detach()).abs().max().item<float>(), Is.LessThan(1e-5f));
    }

    [Test]
    public void SetTrainable_turns_weight_gradients_on()
    {
        using var model = TransformerCausalLM.CreateRandom(TinyConfigs.Qwen2(), seed: 2);
        model.SetTrainable(true);
        using var scope = NewDisposeScope();
        model.Forward(tensor(new long[] { 1, 2, 3 }).unsqueeze(0)).sum().backward();
        Assert.That(model.EmbeddingMatrix.grad, Is.Not.Null);
        Assert.That(model.parameters().All(p => p.requires_grad));
    }

    [Test]
    public void Random_models_are_deterministic_per_seed()
    {
        using var a = TransformerCausalLM.CreateRandom(TinyConfigs.Gpt2(), seed: 9);
        using var b = TransformerCausalLM.CreateRandom(TinyConfigs.Gpt2(), seed: 9);
        using var c = TransformerCausalLM.CreateRandom(TinyConfigs.Gpt2(), seed: 10);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 2, 3 }).unsqueeze(0);
        Assert.That((a.Forward(ids) - b.Forward(ids)).abs().max().item<float>(), Is.EqualTo(0f));
        Assert.That((a.Forward(ids) - c.Forward(ids)).abs().max().item<float>(), Is.GreaterThan(0f));
    }

    [TestCaseSource(nameof(Configs))]
    public void State_dict_names_are_the_checkpoint_names(ModelConfig config)
    {
        using var model = TransformerCausalLM.CreateRandom(config, seed: 1);
        var names = model.named_parameters().Select(p => p.name).OrderBy(n => n, StringComparer.Ordinal);
        var expected = TensorLayout.Expected(config).Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal);
        Assert.That(names, Is.EqualTo(expected));
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        foreach (var (name, shape) in TensorLayout.Expected(config)) Assert.That(shapes[name], Is.EqualTo(shape), name);
    }

    [Test]
    public void Mistral_sliding_window_limits_what_each_position_sees()
    {
        // Window 3, two layers: position t depends on tokens t-4..t only.
        using var model = TransformerCausalLM.CreateRandom(TinyConfigs.Mistral(), seed: 8);
        using var full = TransformerCausalLM.CreateRandom(TinyConfigs.Mistral() with { SlidingWindow = null }, seed: 8);
        using var scope = NewDisposeScope();
        var a = Ids(new long[] { 3, 9, 4, 17, 22, 5, 8, 30 });
        var b = Ids(new long[] { 33, 9, 4, 17, 22, 5, 8, 30 });
        var da = (model.Forward(a) - model.Forward(b)).abs().amax(new long[] { 0, 2 });
        Assert.That(da.narrow(0, 5, 3).max().item<float>(), Is.EqualTo(0f), "token 0 is outside positions 5..7's window");
        Assert.That(da[4].item<float>(), Is.GreaterThan(0f), "token 0 is inside position 4's window");
        var dFull = (full.Forward(a) - full.Forward(b)).abs().amax(new long[] { 0, 2 });
        Assert.That(dFull[7].item<float>(), Is.GreaterThan(0f), "without a window every position sees token 0");
    }
}
