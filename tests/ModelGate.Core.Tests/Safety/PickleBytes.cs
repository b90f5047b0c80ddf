using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ModelGate.Core.Tests.Safety;

/// <summary>Hand-assembled pickle streams, opcode by opcode, so the tests know exactly what each file contains.</summary>
internal static class PickleBytes
{
    private static byte[] B(params object[] parts)
    {
        var ms = new MemoryStream();
        foreach (var p in parts)
        {
            switch (p)
            {
                case string s: ms.Write(Encoding.Latin1.GetBytes(s)); break;
                case byte b: ms.WriteByte(b); break;
                case int i: ms.WriteByte((byte)i); break;
                case byte[] a: ms.Write(a); break;
                default: throw new ArgumentException(p.GetType().Name);
            }
        }
        return ms.ToArray();
    }

    /// <summary>BINUNICODE: 'X' + 4-byte length + UTF-8.</summary>
    private static byte[] Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        var len = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, utf8.Length);
        return B("X", len, utf8);
    }

    /// <summary>SHORT_BINUNICODE (protocol 4): 0x8c + 1-byte length + UTF-8, then MEMOIZE as Python writes it.</summary>
    private static byte[] ShortStr(string s) => B(0x8c, (byte)s.Length, s, 0x94);

    /// <summary>What torch.save writes into archive/data.pkl for {"weight": FloatTensor 2x2} (protocol 2, persistent storage id).</summary>
    public static byte[] BenignTorchStateDict() => B(
        0x80, 2,
        "ccollections\nOrderedDict\n", "q", 0, ")", "R", "q", 1,
        Str("weight"),
        "ctorch._utils\n_rebuild_tensor_v2\n", "q", 2,
        "(", "(", Str("storage"), "ctorch\nFloatStorage\n", Str("0"), Str("cpu"), "K", 4, "t", "Q",
        "K", 0, "K", 2, "K", 2, 0x86, "K", 2, "K", 1, 0x86, 0x89,
        "ccollections\nOrderedDict\n", ")", "R", "t", "R",
        "s", ".");

    /// <summary>The classic protocol-0 payload: os.system("echo pwned").</summary>
    public static byte[] OsSystemProtocol0() => B("cos\nsystem\n(S'echo pwned'\ntR.");

    /// <summary>Protocol 4 with STACK_GLOBAL, as pickle.dumps writes a __reduce__ returning (posix.system, ("id",)).</summary>
    public static byte[] PosixSystemStackGlobal()
    {
        var body = B(ShortStr("posix"), ShortStr("system"), 0x93, 0x94, ShortStr("id"), 0x85, 0x94, "R", 0x94, ".");
        var frame = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(frame, body.Length);
        return B(0x80, 4, 0x95, frame, body);
    }

    /// <summary>STACK_GLOBAL whose module string is fetched back from the memo, to hide it from naive scanners.</summary>
    public static byte[] BuiltinsExecViaMemo() => B(
        0x80, 4, 0x8c, 8, "builtins", "q", 7, "0", // store "builtins" in memo 7, pop it
        Str("print('hi')"), "h", 7, 0x8c, 4, "exec", 0x93, // fetch it back, then STACK_GLOBAL
        0x85, 0x94, "0", "0", "N", ".");

    public static byte[] UnknownGlobal() => B(0x80, 2, "cmypackage.layers\nFancyLayer\n)R.");

    /// <summary>A minimal valid safetensors file: one F32 tensor of one element.</summary>
    public static byte[] Safetensors()
    {
        var header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        return B(len, header, new byte[] { 0, 0, 0x80, 0x3f });
    }

    /// <summary>A PyTorch-style zip archive: archive/data.pkl plus a raw storage record.</summary>
    public static byte[] TorchZip(byte[] dataPkl)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "archive/data.pkl", dataPkl);
            Add(zip, "archive/data/0", new byte[16]);
            Add(zip, "archive/version", Encoding.ASCII.GetBytes("3\n"));
        }
        return ms.ToArray();

        static void Add(ZipArchive zip, string name, byte[] bytes)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(bytes);
        }
    }
}
