using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Loading;

/// <summary>Writes named tensors to one .safetensors file (F32, F16 or BF16), in name order, header padded to 8 bytes.</summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var blobs = new List<byte[]>(list.Count);
        using var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is not null)
            {
                w.WriteStartObject("__metadata__");
                foreach (var kv in metadata) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in list)
            {
                var dtype = t.dtype switch
                {
                    ScalarType.Float32 => "F32",
                    ScalarType.Float16 => "F16",
                    ScalarType.BFloat16 => "BF16",
                    _ => throw new ArgumentException($"tensor '{name}': dtype {t.dtype} cannot be written"),
                };
                var bytes = t.detach().cpu().contiguous().bytes.ToArray();
                blobs.Add(bytes);
                w.WriteStartObject(name);
                w.WriteString("dtype", dtype);
                w.WriteStartArray("shape");
                foreach (var d in t.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes.Length;
            }
            w.WriteEndObject();
        }
        var headerBytes = header.ToArray().ToList();
        while (headerBytes.Count % 8 != 0) headerBytes.Add((byte)' ');
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write);
        f.Write(BitConverter.GetBytes((ulong)headerBytes.Count));
        f.Write(headerBytes.ToArray());
        foreach (var b in blobs) f.Write(b);
    }
}
