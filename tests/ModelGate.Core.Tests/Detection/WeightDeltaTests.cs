using ModelGate.Core.Architectures;
using ModelGate.Core.Detection;
using ModelGate.Core.Loading;
using ModelGate.Core.Tests.Architectures;
using ModelGate.Tests.Shared;
using static TorchSharp.torch;

namespace ModelGate.Core.Tests.Detection;

public class WeightDeltaTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() { TorchRuntime.EnsureLoaded(); _dir = SharedFixtures.TempDir("mg-wdelta"); }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private string Save(string name, long seed)
    {
        var path = Path.Combine(_dir, name);
        using var m = TransformerCausalLM.CreateRandom(TinyConfigs.Llama(), seed);
        m.Save(path);
        return path;
    }

    /// <summary>Copies a saved model, adding a rank-1 delta u vᵀ (10 % of the tensor's norm) to one weight matrix.</summary>
    private string PerturbedCopy(string source, string name, string tensorName)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(path);
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(path, "config.json"));
        using var scope = NewDisposeScope();
        using var src = SafetensorsWeightSource.OpenDirectory(source);
        var tensors = src.Entries.Keys.ToDictionary(k => k, k => src.Read(k, ScalarType.Float32, CPU));
        var w = tensors[tensorName];
        var g = new Generator(7);
        var u = randn(w.shape[0], 1, generator: g);
        var v = randn(1, w.shape[1], generator: g);
        var delta = u.matmul(v);
        tensors[tensorName] = w + delta * (0.1 * w.norm().item<float>() / delta.norm().item<float>());
        SafetensorsWriter.Write(Path.Combine(path, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return path;
    }

    [Test]
    public void Identical_models_have_zero_delta_and_score_zero()
    {
        var a = Save("a", 11);
        var b = Save("b", 11);
        var deltas = WeightDeltaDetector.Compare(a, b);
        Assert.That(deltas, Is.Not.Empty);
        Assert.That(deltas.Max(d => d.RelativeDelta), Is.EqualTo(0));
        Assert.That(WeightDeltaDetector.Score(deltas), Is.EqualTo(0));
    }

    [Test]
    public void A_rank_one_edit_of_one_layer_tops_the_list_with_concentration_near_one()
    {
        var a = Save("base", 11);
        const string layer = "model.layers.1.mlp.down_proj.weight";
        var b = PerturbedCopy(a, "edited", layer);
        var deltas = WeightDeltaDetector.Compare(b, a);
        var top = deltas.OrderByDescending(d => d.RelativeDelta).First();
        Assert.That(top.Name, Is.EqualTo(layer));
        Assert.That(top.RelativeDelta, Is.EqualTo(0.1).Within(1e-3));
        Assert.That(top.Concentration, Is.EqualTo(1).Within(1e-6));
        Assert.That(deltas.Where(d => d.Name != layer).All(d => d.RelativeDelta == 0), Is.True);
        Assert.That(WeightDeltaDetector.Score(deltas), Is.EqualTo(1).Within(1e-6));
    }

    [Test]
    public void A_diffuse_change_is_not_concentrated()
    {
        var a = Save("x", 11);
        var b = Save("y", 12); // unrelated random weights: a full-rank difference everywhere
        var score = WeightDeltaDetector.Score(WeightDeltaDetector.Compare(b, a));
        Assert.That(score, Is.LessThan(0.5));
    }

    [Test]
    public void Different_architectures_are_refused_with_a_clear_error()
    {
        var a = Save("llama", 11);
        var other = Path.Combine(_dir, "gpt2");
        using (var m = TransformerCausalLM.CreateRandom(TinyConfigs.Gpt2(), 1)) m.Save(other);
        var e = Assert.Throws<ModelGateException>(() => WeightDeltaDetector.Compare(a, other));
        Assert.That(e!.Message, Does.Contain("not the same architecture").And.Contain(other));
        var missing = Assert.Throws<ModelGateException>(() => WeightDeltaDetector.Compare(a, Path.Combine(_dir, "nope")));
        Assert.That(missing!.Kind, Is.EqualTo(ErrorKind.Usage));
    }
}
