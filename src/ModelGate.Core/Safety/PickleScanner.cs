using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ModelGate.Core.Safety;

/// <summary>The result of walking one pickle stream: its imports, where it stopped, and why it stopped early if it did.</summary>
public sealed record PickleWalk(IReadOnlyList<PickleImport> Imports, long EndOffset, int Protocol, string? Error);

/// <summary>What was found in one file: every pickle stream in it (a zip archive has one per .pkl member).</summary>
public sealed record PickleFileReport(string Path, IReadOnlyList<PickleStreamReport> Streams)
{
    public IEnumerable<PickleImport> Imports => Streams.SelectMany(s => s.Imports);
    public bool HasDangerous => Imports.Any(i => i.Risk == ImportRisk.Dangerous);
    public bool HasUnknown => Imports.Any(i => i.Risk == ImportRisk.Unknown);
    public bool HasMalformed => Streams.Any(s => s.Error is not null);
}

/// <summary>One pickle stream; Member is the zip entry name, or null for a bare pickle file.</summary>
public sealed record PickleStreamReport(string? Member, IReadOnlyList<PickleImport> Imports, string? Error);

/// <summary>
/// Statically walks pickle opcodes (protocols 0–5) and collects every import the stream would perform when loaded.
/// It never unpickles: it only tracks enough of the stack (strings and marks) to resolve STACK_GLOBAL operands.
/// </summary>
public static class PickleScanner
{
    /// <summary>Zip members larger than this are not read into memory (and reported), which also bounds zip bombs.</summary>
    public const long MaxMemberBytes = 256L << 20;

    /// <summary>Scans a bare pickle file (consecutive streams, as legacy torch.save writes) or a zip archive's .pkl members.</summary>
    public static PickleFileReport ScanFile(string path)
    {
        var kind = FileKindSniffer.Sniff(path);
        if (kind == FileKind.Zip) return new PickleFileReport(path, ScanZip(path));
        if (kind != FileKind.Pickle) return new PickleFileReport(path, []);
        var bytes = File.ReadAllBytes(path);
        return new PickleFileReport(path, ScanConsecutive(bytes, member: null));
    }

    private static List<PickleStreamReport> ScanZip(string path)
    {
        var streams = new List<PickleStreamReport>();
        ZipArchive archive;
        try { archive = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { return [new PickleStreamReport(null, [], $"unreadable zip archive: {e.Message}")]; }
        using (archive)
        {
            foreach (var entry in archive.Entries)
            {
                if (!entry.FullName.EndsWith(".pkl", StringComparison.OrdinalIgnoreCase)) continue;
                if (entry.Length > MaxMemberBytes)
                {
                    streams.Add(new PickleStreamReport(entry.FullName, [], $"member is {entry.Length} bytes, over the {MaxMemberBytes}-byte scan limit"));
                    continue;
                }
                byte[] bytes;
                try
                {
                    // The declared size can lie; never decompress more than the limit.
                    using var s = entry.Open();
                    using var ms = new MemoryStream();
                    var buffer = new byte[81920];
                    int read;
                    while ((read = s.Read(buffer)) > 0)
                    {
                        ms.Write(buffer, 0, read);
                        if (ms.Length > MaxMemberBytes) throw new InvalidDataException($"decompresses to more than {MaxMemberBytes} bytes");
                    }
                    bytes = ms.ToArray();
                }
                catch (InvalidDataException e)
                {
                    streams.Add(new PickleStreamReport(entry.FullName, [], $"member cannot be decompressed: {e.Message}"));
                    continue;
                }
                streams.AddRange(ScanConsecutive(bytes, entry.FullName));
            }
        }
        return streams;
    }

    /// <summary>What legacy (pre-zip) torch.save writes first: PROTO 2, LONG1 0x1950a86a20f9469cfc6c, STOP.</summary>
    private static readonly byte[] LegacyTorchMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

    /// <summary>Legacy torch.save files hold five pickles (magic, protocol, sys info, data, storage keys) and then raw storage bytes.</summary>
    private const int LegacyTorchPickles = 5;

    /// <summary>
    /// A legacy torch file is walked for exactly its five pickles, because the raw storage bytes after them can begin with
    /// 0x80 by chance. Other files: walk while another stream starts with PROTO.
    /// </summary>
    private static List<PickleStreamReport> ScanConsecutive(byte[] bytes, string? member)
    {
        var legacy = bytes.AsSpan().StartsWith(LegacyTorchMagic);
        var reports = new List<PickleStreamReport>();
        long offset = 0;
        while (true)
        {
            var walk = Walk(bytes.AsSpan((int)offset), offset);
            reports.Add(new PickleStreamReport(member, walk.Imports, walk.Error));
            if (walk.Error is not null) break;
            offset = walk.EndOffset;
            var more = legacy
                ? reports.Count < LegacyTorchPickles
                : offset + 1 < bytes.Length && bytes[offset] == 0x80 && bytes[offset + 1] <= 5;
            if (!more) break;
        }
        return reports;
    }

    private static readonly object Mark = new();
    private static readonly object Opaque = new();

    /// <summary>Walks one stream up to and including STOP. Offsets in the result are relative to <paramref name="baseOffset"/>.</summary>
    public static PickleWalk Walk(ReadOnlySpan<byte> data, long baseOffset = 0)
    {
        var imports = new List<PickleImport>();
        var stack = new List<object>();
        var memo = new Dictionary<long, object>();
        var protocol = 0;
        var pos = 0;

        PickleWalk Fail(string why, int at) =>
            new(imports, baseOffset + at, protocol, $"malformed pickle at byte {baseOffset + at}: {why}");

        while (pos < data.Length)
        {
            var opAt = pos;
            var op = data[pos++];
            try
            {
                switch (op)
                {
                    case (byte)'.': // STOP
                        return new PickleWalk(imports, baseOffset + pos, protocol, null);
                    case (byte)'(': stack.Add(Mark); break;
                    case (byte)'0': Pop(stack, 1); break;
                    case (byte)'1': PopToMark(stack); break;
                    case (byte)'2': stack.Add(Peek(stack)); break;
                    case (byte)'F': case (byte)'I': case (byte)'L': ReadLine(data, ref pos); stack.Add(Opaque); break;
                    case (byte)'S': stack.Add(UnquoteProtocol0(ReadLine(data, ref pos))); break;
                    case (byte)'V': stack.Add(ReadLine(data, ref pos)); break;
                    case (byte)'P': ReadLine(data, ref pos); stack.Add(Opaque); break;
                    case (byte)'J': Skip(data, ref pos, 4); stack.Add(Opaque); break;
                    case (byte)'K': Skip(data, ref pos, 1); stack.Add(Opaque); break;
                    case (byte)'M': Skip(data, ref pos, 2); stack.Add(Opaque); break;
                    case (byte)'G': Skip(data, ref pos, 8); stack.Add(Opaque); break;
                    case (byte)'N': case 0x88: case 0x89: stack.Add(Opaque); break;
                    case (byte)'Q': Pop(stack, 1); stack.Add(Opaque); break; // BINPERSID
                    case (byte)'R': Pop(stack, 2); stack.Add(Opaque); break; // REDUCE
                    case (byte)'T': stack.Add(Latin1(ReadCounted(data, ref pos, 4))); break;
                    case (byte)'U': stack.Add(Latin1(ReadCounted(data, ref pos, 1))); break;
                    case (byte)'X': stack.Add(Utf8String(ReadCounted(data, ref pos, 4))); break;
                    case 0x8c: stack.Add(Utf8String(ReadCounted(data, ref pos, 1))); break;
                    case 0x8d: stack.Add(Utf8String(ReadCounted(data, ref pos, 8))); break;
                    case (byte)'B': ReadCounted(data, ref pos, 4); stack.Add(Opaque); break;
                    case (byte)'C': ReadCounted(data, ref pos, 1); stack.Add(Opaque); break;
                    case 0x8e: case 0x96: ReadCounted(data, ref pos, 8); stack.Add(Opaque); break;
                    case 0x8a: ReadCounted(data, ref pos, 1); stack.Add(Opaque); break;
                    case 0x8b: ReadCounted(data, ref pos, 4); stack.Add(Opaque); break;
                    case (byte)'a': case (byte)'b': Pop(stack, 1); break;          // APPEND, BUILD
                    case (byte)'s': Pop(stack, 2); break;                          // SETITEM
                    case (byte)'e': case (byte)'u': case 0x90: PopToMark(stack); break; // APPENDS, SETITEMS, ADDITEMS
                    case (byte)'c': // GLOBAL module\nname\n
                    case (byte)'i': // INST module\nname\n, then builds from the items above the mark
                    {
                        var module = ReadLine(data, ref pos);
                        var name = ReadLine(data, ref pos);
                        imports.Add(new PickleImport(module, name, PickleImportPolicy.Judge(module, name), baseOffset + opAt));
                        if (op == (byte)'i') PopToMark(stack);
                        stack.Add(Opaque);
                        break;
                    }
                    case 0x93: // STACK_GLOBAL: module and name are the two strings on top of the stack
                    {
                        var items = Pop(stack, 2);
                        var module = items[0] as string;
                        var name = items[1] as string;
                        // Operands we cannot resolve are judged dangerous: a scanner that can be blinded must fail closed.
                        var risk = module is null || name is null ? ImportRisk.Dangerous : PickleImportPolicy.Judge(module, name);
                        imports.Add(new PickleImport(module ?? "?", name ?? "?", risk, baseOffset + opAt));
                        stack.Add(Opaque);
                        break;
                    }
                    case (byte)'d': case (byte)'l': case (byte)'t': case 0x91: PopToMark(stack); stack.Add(Opaque); break;
                    case (byte)'o': PopToMark(stack); stack.Add(Opaque); break; // OBJ
                    case (byte)'}': case (byte)']': case (byte)')': case 0x8f: stack.Add(Opaque); break;
                    case 0x85: Pop(stack, 1); stack.Add(Opaque); break;
                    case 0x86: Pop(stack, 2); stack.Add(Opaque); break;
                    case 0x87: Pop(stack, 3); stack.Add(Opaque); break;
                    case 0x81: Pop(stack, 2); stack.Add(Opaque); break; // NEWOBJ
                    case 0x92: Pop(stack, 3); stack.Add(Opaque); break; // NEWOBJ_EX
                    case 0x82: Skip(data, ref pos, 1); stack.Add(Opaque); break; // EXT1..4 (extension registry)
                    case 0x83: Skip(data, ref pos, 2); stack.Add(Opaque); break;
                    case 0x84: Skip(data, ref pos, 4); stack.Add(Opaque); break;
                    case (byte)'g': memo.TryGetValue(ParseMemoKey(ReadLine(data, ref pos)), out var g); stack.Add(g ?? Opaque); break;
                    case (byte)'h': stack.Add(memo.GetValueOrDefault(ReadUInt(data, ref pos, 1)) ?? Opaque); break;
                    case (byte)'j': stack.Add(memo.GetValueOrDefault(ReadUInt(data, ref pos, 4)) ?? Opaque); break;
                    case (byte)'p': memo[ParseMemoKey(ReadLine(data, ref pos))] = Peek(stack); break;
                    case (byte)'q': memo[ReadUInt(data, ref pos, 1)] = Peek(stack); break;
                    case (byte)'r': memo[ReadUInt(data, ref pos, 4)] = Peek(stack); break;
                    case 0x94: memo[memo.Count] = Peek(stack); break; // MEMOIZE
                    case 0x80: // PROTO
                        protocol = (int)ReadUInt(data, ref pos, 1);
                        if (protocol > 5) return Fail($"unsupported protocol {protocol}", opAt);
                        break;
                    case 0x95: Skip(data, ref pos, 8); break; // FRAME: a length hint only
                    case 0x97: stack.Add(Opaque); break;      // NEXT_BUFFER
                    case 0x98: Peek(stack); break;            // READONLY_BUFFER
                    default:
                        return Fail($"unknown opcode 0x{op:x2}", opAt);
                }
            }
            catch (MalformedPickle e)
            {
                return Fail(e.Message, opAt);
            }
        }
        return Fail("stream ends without STOP", data.Length);
    }

    private sealed class MalformedPickle(string message) : Exception(message);

    private static object Peek(List<object> stack) =>
        stack.Count > 0 ? stack[^1] : throw new MalformedPickle("stack underflow");

    private static object[] Pop(List<object> stack, int count)
    {
        if (stack.Count < count) throw new MalformedPickle("stack underflow");
        var items = stack.GetRange(stack.Count - count, count).ToArray();
        if (items.Any(i => ReferenceEquals(i, Mark))) throw new MalformedPickle("mark used as an operand");
        stack.RemoveRange(stack.Count - count, count);
        return items;
    }

    private static void PopToMark(List<object> stack)
    {
        var at = stack.FindLastIndex(o => ReferenceEquals(o, Mark));
        if (at < 0) throw new MalformedPickle("no mark on the stack");
        stack.RemoveRange(at, stack.Count - at);
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int pos, int count)
    {
        if (pos + count > data.Length) throw new MalformedPickle("argument runs past the end");
        pos += count;
    }

    private static long ReadUInt(ReadOnlySpan<byte> data, ref int pos, int width)
    {
        if (pos + width > data.Length) throw new MalformedPickle("argument runs past the end");
        var slice = data.Slice(pos, width);
        pos += width;
        return width switch
        {
            1 => slice[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(slice),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(slice),
            _ => BinaryPrimitives.ReadInt64LittleEndian(slice),
        };
    }

    private static ReadOnlySpan<byte> ReadCounted(ReadOnlySpan<byte> data, ref int pos, int width)
    {
        var length = ReadUInt(data, ref pos, width);
        if (length < 0 || length > data.Length - pos) throw new MalformedPickle($"length {length} runs past the end");
        var slice = data.Slice(pos, (int)length);
        pos += (int)length;
        return slice;
    }

    private static string ReadLine(ReadOnlySpan<byte> data, ref int pos)
    {
        var end = data[pos..].IndexOf((byte)'\n');
        if (end < 0) throw new MalformedPickle("line argument without newline");
        var line = Latin1(data.Slice(pos, end));
        pos += end + 1;
        return line;
    }

    private static long ParseMemoKey(string line) =>
        long.TryParse(line, out var key) ? key : throw new MalformedPickle($"bad memo key '{line}'");

    private static string UnquoteProtocol0(string s) =>
        s.Length >= 2 && (s[0] == '\'' || s[0] == '"') && s[^1] == s[0] ? s[1..^1] : s;

    private static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static string Utf8String(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
