using System.Text;

namespace ModelGate.Core.Tests.Detection;

/// <summary>
/// TEST FIXTURE: a protocol-2 pickle built byte by byte that, if anything ever unpickled it, would run
/// <c>posix.system("touch SENTINEL")</c>. Tests assert the sentinel never appears: ModelGate only reads opcodes.
/// </summary>
internal static class MaliciousPickle
{
    public static byte[] Bytes(string sentinel)
    {
        var command = Encoding.UTF8.GetBytes($"touch {sentinel}");
        var b = new List<byte> { 0x80, 0x02 };                        // PROTO 2
        b.Add((byte)'c'); b.AddRange("posix\nsystem\n"u8.ToArray());  // GLOBAL posix.system
        b.Add((byte)'X'); b.AddRange(BitConverter.GetBytes(command.Length)); b.AddRange(command); // BINUNICODE
        b.Add(0x85);                                                  // TUPLE1
        b.Add((byte)'R');                                             // REDUCE: the call an unpickler would make
        b.Add((byte)'.');                                             // STOP
        return b.ToArray();
    }

    /// <summary>Writes the pickle as pytorch_model.bin (the usual name; ModelGate judges it by its bytes) and returns the sentinel path.</summary>
    public static string WriteInto(string dir, string name = "pytorch_model.bin")
    {
        var sentinel = Path.Combine(dir, "PWNED");
        File.WriteAllBytes(Path.Combine(dir, name), Bytes(sentinel));
        return sentinel;
    }
}
