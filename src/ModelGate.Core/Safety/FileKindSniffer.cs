using System.Buffers.Binary;
using System.Text;

namespace ModelGate.Core.Safety;

/// <summary>
/// Tells what a file is from its first bytes, never from its name: a ".bin" may be safetensors and a ".safetensors"
/// may be a pickle, and the safety check must see through both.
/// </summary>
public static class FileKindSniffer
{
    /// <summary>How many leading bytes the sniffer looks at.</summary>
    public const int HeaderLength = 4096;

    /// <summary>Protocol 0/1 pickles are only believed when a whole-stream walk succeeds; above this size we do not try.</summary>
    private const long MaxTextPickleWalk = 64L << 20;

    public static string Sniff(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Sniff(stream);
    }

    /// <summary>Sniffs a seekable stream from its current start; leaves it positioned anywhere.</summary>
    public static string Sniff(Stream stream)
    {
        var header = new byte[HeaderLength];
        var n = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        var head = header.AsSpan(0, n);
        if (n == 0) return FileKind.Empty;

        if (LooksLikeSafetensors(head, stream.CanSeek ? stream.Length : long.MaxValue)) return FileKind.Safetensors;
        if (n >= 2 && head[0] == 0x80 && head[1] <= 5) return FileKind.Pickle;
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8)) return FileKind.Zip;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x93, .. "NUMPY"u8])) return FileKind.Numpy;
        if (head.StartsWith("GGUF"u8)) return FileKind.Gguf;
        if (IsExecutable(head)) return FileKind.Executable;
        if (LooksLikeTextPickle(head, stream)) return FileKind.Pickle;
        if (LooksLikeText(head))
        {
            var body = SkipBomAndSpace(head);
            return body.Length > 0 && (body[0] == (byte)'{' || body[0] == (byte)'[') ? FileKind.Json : FileKind.Text;
        }
        return FileKind.Unknown;
    }

    /// <summary>8-byte little-endian header length, then a JSON object that fits in the file.</summary>
    private static bool LooksLikeSafetensors(ReadOnlySpan<byte> head, long fileLength)
    {
        if (head.Length < 10) return false;
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(head);
        return headerLength >= 2 && headerLength <= 100_000_000 && (long)headerLength <= fileLength - 8 && head[8] == (byte)'{';
    }

    private static bool IsExecutable(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0x7F, 0x45, 0x4C, 0x46])                                        // ELF
        || head.StartsWith("#!"u8)                                                      // script with an interpreter
        || (head.StartsWith("MZ"u8) && HasPeSignature(head))                           // Windows PE
        || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xED, 0xFA, 0xCE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xED, 0xFA, 0xCF]) // Mach-O big-endian
        || head.StartsWith((ReadOnlySpan<byte>)[0xCE, 0xFA, 0xED, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xCF, 0xFA, 0xED, 0xFE]) // Mach-O little-endian
        || head.StartsWith((ReadOnlySpan<byte>)[0xCA, 0xFE, 0xBA, 0xBE]);                                   // Mach-O universal

    /// <summary>"MZ" alone is two printable letters; a PE also points at "PE\0\0" from offset 0x3C.</summary>
    private static bool HasPeSignature(ReadOnlySpan<byte> head)
    {
        if (head.Length < 0x40) return false;
        var offset = BinaryPrimitives.ReadInt32LittleEndian(head[0x3C..]);
        return offset >= 0x40 && offset + 4 <= head.Length && head[offset..].StartsWith("PE\0\0"u8);
    }

    /// <summary>Protocol 0/1 pickles have no magic; believe one only when a full opcode walk ends cleanly at STOP.</summary>
    private static bool LooksLikeTextPickle(ReadOnlySpan<byte> head, Stream stream)
    {
        if (!"(c]})NIJKLFSVXUTGdlq"u8.Contains(head[0]) || !stream.CanSeek || stream.Length > MaxTextPickleWalk) return false;
        stream.Position = 0;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var walk = PickleScanner.Walk(bytes);
        return walk.Error is null && walk.EndOffset == bytes.Length;
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.Contains((byte)0)) return false;
        // A multi-byte sequence cut by the header window is fine; anything else invalid is binary.
        for (var trim = 0; trim < 4 && trim < head.Length; trim++)
            if (System.Text.Unicode.Utf8.IsValid(head[..(head.Length - trim)])) return true;
        return false;
    }

    private static ReadOnlySpan<byte> SkipBomAndSpace(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) head = head[3..];
        var i = 0;
        while (i < head.Length && head[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return head[i..];
    }
}
