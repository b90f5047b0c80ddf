using System.Text;
using ModelGate.Core;
using ModelGate.Core.Loading;
using ModelGate.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Tests.Loading;

public class SafetensorsTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        TorchRuntime.EnsureLoaded();
        _dir = SharedFixtures.TempDir("st");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    /// <summary>Builds a file by hand so each test can break exactly one rule.</summary>
    private string Craft(string header, byte[] data, ulong? declaredLength = null)
    {
        var path = Path.Combine(_dir, "model.safetensors");
        var h = Encoding.UTF8.GetBytes(header);
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes(declaredLength ?? (ulong)h.Length));
        f.Write(h);
        f.Write(data);
        return path;
    }

    private static byte[] Floats(params float[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    private static string ErrorOf(string path)
    {
        var e = Assert.Throws<ModelGateException>(() =>
        {
            using var src = SafetensorsWeightSource.OpenFile(path);
            foreach (var n in src.Entries.Keys) src.Read(n, ScalarType.Float32, CPU).Dispose();
        });
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.InvalidModel));
        Assert.That(e.Message, Does.Contain(path));
        return e.Message;
    }

    [Test]
    public void Writer_round_trips_f32_f16_bf16_and_converts_on_read()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(_dir, "model.safetensors");
        var a = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        var b = tensor(new float[] { 0.5f, -2f }).to(ScalarType.Float16);
        var c = tensor(new float[] { 1.5f, 3f, -4f }).to(ScalarType.BFloat16);
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["a"] = a, ["b.weight"] = b, ["c"] = c });
        using var src = SafetensorsWeightSource.OpenFile(path);
        Assert.That(src.Entries.Keys, Is.EquivalentTo(new[] { "a", "b.weight", "c" }));
        Assert.That(src.Entries["a"].Shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(src.Entries["b.weight"].DType, Is.EqualTo("F16"));
        Assert.That(src.Read("a", ScalarType.Float32, CPU).data<float>().ToArray(), Is.EqualTo(new float[] { 0, 1, 2, 3, 4, 5 }));
        Assert.That(src.Read("b.weight", ScalarType.Float32, CPU).data<float>().ToArray(), Is.EqualTo(new float[] { 0.5f, -2f }));
        var cRead = src.Read("c", ScalarType.BFloat16, CPU);
        Assert.That(cRead.dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(cRead.to(ScalarType.Float32).data<float>().ToArray(), Is.EqualTo(new float[] { 1.5f, 3f, -4f }));
    }

    [Test]
    public void Valid_hand_crafted_file_reads()
    {
        var path = Craft("{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Floats(1, 2));
        using var src = SafetensorsWeightSource.OpenFile(path);
        using var t = src.Read("x", ScalarType.Float32, CPU);
        Assert.That(t.data<float>().ToArray(), Is.EqualTo(new float[] { 1, 2 }));
    }

    [Test]
    public void Truncated_file_is_rejected()
    {
        var path = Craft("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Floats(1));
        Assert.That(ErrorOf(path), Does.Contain("'x'").And.Contain("outside"));
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        Assert.That(ErrorOf(path), Does.Contain("shorter than the 8-byte"));
    }

    [Test]
    public void Header_over_limit_or_past_end_is_rejected()
    {
        var path = Craft("{}", Array.Empty<byte>(), declaredLength: 200UL * 1024 * 1024);
        Assert.That(ErrorOf(path), Does.Contain("100 MB"));
        path = Craft("{}", Array.Empty<byte>(), declaredLength: 1000);
        Assert.That(ErrorOf(path), Does.Contain("past the end"));
    }

    [Test]
    public void Invalid_json_is_rejected()
    {
        var path = Craft("{\"x\":", Array.Empty<byte>());
        Assert.That(ErrorOf(path), Does.Contain("not valid JSON"));
    }

    [Test]
    public void Overlapping_offsets_are_rejected()
    {
        var path = Craft("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            Floats(1, 2, 3));
        Assert.That(ErrorOf(path), Does.Contain("overlaps"));
    }

    [Test]
    public void Holes_and_trailing_bytes_are_rejected()
    {
        var path = Craft("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", Floats(1, 2));
        Assert.That(ErrorOf(path), Does.Contain("hole"));
        path = Craft("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", Floats(1, 2));
        Assert.That(ErrorOf(path), Does.Contain("trailing"));
    }

    [Test]
    public void Byte_count_not_matching_shape_is_rejected()
    {
        var path = Craft("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", Floats(1, 2));
        Assert.That(ErrorOf(path), Does.Contain("'x'").And.Contain("needs 12"));
    }

    [Test]
    public void Unknown_dtype_is_rejected()
    {
        var path = Craft("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", Floats(1, 2));
        Assert.That(ErrorOf(path), Does.Contain("I64"));
    }

    [Test]
    public void Duplicate_names_are_rejected()
    {
        var path = Craft("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", Floats(1, 2));
        Assert.That(ErrorOf(path), Does.Contain("twice"));
    }

    [Test]
    public void NaN_and_Inf_name_the_tensor()
    {
        var path = Craft("{\"bad.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Floats(1, float.NaN));
        Assert.That(ErrorOf(path), Does.Contain("'bad.weight'").And.Contain("NaN"));
        path = Craft("{\"inf\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", Floats(float.PositiveInfinity));
        Assert.That(ErrorOf(path), Does.Contain("'inf'"));
    }

    [Test]
    public void Sharded_index_reads_all_shards_and_rejects_misplaced_tensors()
    {
        using var scope = NewDisposeScope();
        SafetensorsWriter.Write(Path.Combine(_dir, "a.safetensors"), new Dictionary<string, Tensor> { ["w1"] = ones(2) });
        SafetensorsWriter.Write(Path.Combine(_dir, "b.safetensors"), new Dictionary<string, Tensor> { ["w2"] = zeros(3) });
        var index = Path.Combine(_dir, "model.safetensors.index.json");
        File.WriteAllText(index, "{\"metadata\":{},\"weight_map\":{\"w1\":\"a.safetensors\",\"w2\":\"b.safetensors\"}}");
        using (var src = SafetensorsWeightSource.OpenDirectory(_dir))
        {
            Assert.That(src.Entries.Keys, Is.EquivalentTo(new[] { "w1", "w2" }));
            Assert.That(src.Read("w2", ScalarType.Float32, CPU).shape, Is.EqualTo(new long[] { 3 }));
        }
        File.WriteAllText(index, "{\"weight_map\":{\"w1\":\"b.safetensors\",\"w2\":\"b.safetensors\"}}");
        var e = Assert.Throws<ModelGateException>(() => SafetensorsWeightSource.OpenDirectory(_dir).Dispose());
        Assert.That(e!.Message, Does.Contain("w1"));
        File.WriteAllText(index, "{\"weight_map\":{\"w1\":\"../a.safetensors\"}}");
        e = Assert.Throws<ModelGateException>(() => SafetensorsWeightSource.OpenDirectory(_dir).Dispose());
        Assert.That(e!.Message, Does.Contain("not a file in the model directory"));
    }
}
