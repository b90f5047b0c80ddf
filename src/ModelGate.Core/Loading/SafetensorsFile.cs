using System.Text;
using System.Text.Json;

namespace ModelGate.Core.Loading;

/// <summary>
/// Parses and validates the header of one .safetensors file: 8-byte little-endian header length, a JSON object
/// of name → {dtype, shape, data_offsets} (plus optional __metadata__), and a data buffer that the tensors tile
/// exactly (no holes, no overlaps, nothing out of range). Only F32/F16/BF16 are accepted as weights.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>The format's own limit; a larger header is a malformed (or hostile) file.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    public static int DTypeSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F16" => 2,
        "BF16" => 2,
        _ => 0,
    };

    /// <summary>Returns the entries (with absolute file offsets) of a validated file.</summary>
    public static List<TensorEntry> ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        var fileLength = stream.Length;
        if (fileLength < 8) throw Invalid(path, $"file is {fileLength} bytes, shorter than the 8-byte header length");
        Span<byte> lenBytes = stackalloc byte[8];
        stream.ReadExactly(lenBytes);
        var headerLength = BitConverter.ToUInt64(lenBytes);
        if (headerLength > MaxHeaderBytes) throw Invalid(path, $"header length {headerLength} exceeds the 100 MB limit");
        if ((long)headerLength > fileLength - 8) throw Invalid(path, $"header length {headerLength} runs past the end of the file (truncated?)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (JsonException e) { throw Invalid(path, "header is not valid JSON: " + e.Message.Split('\n')[0]); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Invalid(path, "header is not a JSON object");

        var entries = new List<TensorEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == "__metadata__") continue;
            if (!names.Add(prop.Name)) throw Invalid(path, $"tensor '{prop.Name}' appears twice in the header");
            entries.Add(ParseEntry(path, prop, dataStart, dataLength));
        }

        // The tensors must tile [0, dataLength) exactly: sort by begin and walk.
        long cursor = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            var begin = e.Begin - dataStart;
            if (begin < cursor) throw Invalid(path, $"tensor '{e.Name}' overlaps the previous tensor (offset {begin} < {cursor})");
            if (begin > cursor) throw Invalid(path, $"hole in the data buffer before tensor '{e.Name}' (bytes {cursor}..{begin})");
            cursor = e.End - dataStart;
        }
        if (cursor != dataLength) throw Invalid(path, $"data buffer is {dataLength} bytes but tensors cover {cursor} (truncated or trailing bytes)");
        return entries;
    }

    private static TensorEntry ParseEntry(string path, JsonProperty prop, long dataStart, long dataLength)
    {
        var name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Invalid(path, $"tensor '{name}': entry is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Invalid(path, $"tensor '{name}': missing dtype");
        var dtype = dt.GetString()!;
        var size = DTypeSize(dtype);
        if (size == 0) throw Invalid(path, $"tensor '{name}': dtype {dtype} is not a supported weight dtype (F32, F16, BF16)");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Invalid(path, $"tensor '{name}': missing shape");
        var shape = new long[sh.GetArrayLength()];
        var i = 0;
        long count = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var n) || n < 0)
                throw Invalid(path, $"tensor '{name}': shape has a non-integer or negative dimension");
            shape[i++] = n;
            count = checked(count * n);
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Invalid(path, $"tensor '{name}': data_offsets must be [begin, end]");
        if (!off[0].TryGetInt64(out var begin) || !off[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw Invalid(path, $"tensor '{name}': data_offsets are not a valid [begin, end] range");
        if (end > dataLength) throw Invalid(path, $"tensor '{name}': data_offsets [{begin}, {end}] lie outside the {dataLength}-byte data buffer");
        if (end - begin != count * size)
            throw Invalid(path, $"tensor '{name}': {end - begin} bytes stored but shape [{string.Join(", ", shape)}] x {dtype} needs {count * size}");
        return new TensorEntry(name, dtype, shape, path, dataStart + begin, dataStart + end);
    }

    public static FileStream OpenRead(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, "cannot open: " + e.Message, path);
        }
    }

    public static ModelGateException Invalid(string path, string message) => new(ErrorKind.InvalidModel, message, path);

    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
