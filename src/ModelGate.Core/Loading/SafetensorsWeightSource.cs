using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Loading;

/// <summary>
/// <see cref="IWeightSource"/> over model.safetensors or a sharded set listed in model.safetensors.index.json.
/// Headers are validated on open; tensor bytes are read on demand, each tensor once.
/// </summary>
public sealed class SafetensorsWeightSource : IWeightSource
{
    private readonly Dictionary<string, TensorEntry> _entries;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private SafetensorsWeightSource(Dictionary<string, TensorEntry> entries, IReadOnlyList<string> files)
    {
        _entries = entries;
        Files = files;
    }

    public IReadOnlyDictionary<string, TensorEntry> Entries => _entries;

    /// <summary>The safetensors files this source reads.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Opens one .safetensors file.</summary>
    public static SafetensorsWeightSource OpenFile(string path)
    {
        var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        foreach (var e in SafetensorsFile.ReadHeader(path)) entries[e.Name] = e;
        return new SafetensorsWeightSource(entries, new[] { path });
    }

    /// <summary>Opens a model directory: model.safetensors.index.json if present, else model.safetensors.</summary>
    public static SafetensorsWeightSource OpenDirectory(string dir)
    {
        var index = Path.Combine(dir, "model.safetensors.index.json");
        if (File.Exists(index)) return OpenIndex(index);
        var single = Path.Combine(dir, "model.safetensors");
        if (File.Exists(single)) return OpenFile(single);
        throw new ModelGateException(ErrorKind.InvalidModel, "no model.safetensors or model.safetensors.index.json", dir);
    }

    /// <summary>Opens a sharded checkpoint; every tensor must sit in the shard the index names, exactly once.</summary>
    public static SafetensorsWeightSource OpenIndex(string indexPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        Dictionary<string, string> weightMap;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!doc.RootElement.TryGetProperty("weight_map", out var wm) || wm.ValueKind != JsonValueKind.Object)
                throw SafetensorsFile.Invalid(indexPath, "missing weight_map object");
            weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in wm.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String) throw SafetensorsFile.Invalid(indexPath, $"weight_map['{p.Name}'] is not a file name");
                var shard = p.Value.GetString()!;
                // A shard name is a plain file name beside the index: anything else could point outside the model.
                if (shard != Path.GetFileName(shard) || shard is "." or "..")
                    throw SafetensorsFile.Invalid(indexPath, $"weight_map['{p.Name}'] = '{shard}' is not a file in the model directory");
                if (!weightMap.TryAdd(p.Name, shard)) throw SafetensorsFile.Invalid(indexPath, $"tensor '{p.Name}' listed twice");
            }
        }
        catch (JsonException e) { throw SafetensorsFile.Invalid(indexPath, "not valid JSON: " + e.Message.Split('\n')[0]); }

        var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        var files = new List<string>();
        foreach (var shard in weightMap.Values.Distinct().OrderBy(s => s, StringComparer.Ordinal))
        {
            var path = Path.Combine(dir, shard);
            if (!File.Exists(path)) throw SafetensorsFile.Invalid(indexPath, $"shard {shard} is missing");
            files.Add(path);
            foreach (var e in SafetensorsFile.ReadHeader(path))
            {
                if (!weightMap.TryGetValue(e.Name, out var listed) || listed != shard)
                    throw SafetensorsFile.Invalid(path, $"tensor '{e.Name}' is not mapped to this shard in {Path.GetFileName(indexPath)}");
                if (!entries.TryAdd(e.Name, e)) throw SafetensorsFile.Invalid(path, $"tensor '{e.Name}' appears in two shards");
            }
        }
        foreach (var name in weightMap.Keys)
            if (!entries.ContainsKey(name)) throw SafetensorsFile.Invalid(indexPath, $"tensor '{name}' is listed but not in shard {weightMap[name]}");
        return new SafetensorsWeightSource(entries, files);
    }

    public Tensor Read(string name, ScalarType dtype, Device device)
    {
        if (!_entries.TryGetValue(name, out var e))
            throw new ModelGateException(ErrorKind.InvalidModel, $"tensor '{name}' is not in the checkpoint", Files.Count == 1 ? Files[0] : null);
        if (!_read.Add(name))
            throw new InvalidOperationException($"tensor '{name}' read twice; the loader reads each tensor once");

        using var scope = NewDisposeScope();
        var stored = e.DType switch { "F32" => ScalarType.Float32, "F16" => ScalarType.Float16, _ => ScalarType.BFloat16 };
        var raw = empty(e.Shape, stored, CPU);
        var bytes = e.End - e.Begin;
        if (bytes > 0)
        {
            using var stream = SafetensorsFile.OpenRead(e.File);
            stream.Position = e.Begin;
            // Read straight into the tensor's storage: no second copy of the weights in managed memory.
            ReadInto(stream, raw, e.File);
        }
        var finite = raw.isfinite().all().item<bool>();
        if (!finite) throw SafetensorsFile.Invalid(e.File, $"tensor '{name}' contains NaN or Inf values");
        var result = raw.to(dtype, device);
        if (ReferenceEquals(result, raw)) result = raw.clone();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Fills the tensor from the stream in chunks of elements; each chunk's bytes span is a view of the
    /// tensor's own storage, so the weights are never held twice.</summary>
    private static void ReadInto(FileStream stream, Tensor raw, string file)
    {
        using var flat = raw.view(-1);
        var total = flat.shape[0];
        const long chunkElements = 1 << 24;
        for (long start = 0; start < total; start += chunkElements)
        {
            using var part = flat.narrow(0, start, Math.Min(chunkElements, total - start));
            var span = part.bytes;
            var done = 0;
            while (done < span.Length)
            {
                var n = stream.Read(span[done..]);
                if (n <= 0) throw SafetensorsFile.Invalid(file, "file ended while reading tensor data (truncated)");
                done += n;
            }
        }
    }

    public void Dispose() { }
}
