using System.Security.Cryptography;
using System.Text;
using ModelGate.Core.Safety;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Safety;

public class FileKindSnifferTests
{
    private static string Sniff(byte[] bytes) => FileKindSniffer.Sniff(new MemoryStream(bytes));

    [Test] public void SafetensorsByHeaderNotName() => Assert.That(Sniff(PickleBytes.Safetensors()), Is.EqualTo(FileKind.Safetensors));
    [Test] public void BinaryPickle() => Assert.That(Sniff(PickleBytes.BenignTorchStateDict()), Is.EqualTo(FileKind.Pickle));
    [Test] public void Protocol4Pickle() => Assert.That(Sniff(PickleBytes.PosixSystemStackGlobal()), Is.EqualTo(FileKind.Pickle));
    [Test] public void Protocol0PickleHasNoMagicButWalksCleanly() => Assert.That(Sniff(PickleBytes.OsSystemProtocol0()), Is.EqualTo(FileKind.Pickle));
    [Test] public void TextThatStartsLikeAGlobalIsText() => Assert.That(Sniff("cat sat on the mat."u8.ToArray()), Is.EqualTo(FileKind.Text));
    [Test] public void Zip() => Assert.That(Sniff(PickleBytes.TorchZip(PickleBytes.BenignTorchStateDict())), Is.EqualTo(FileKind.Zip));
    [Test] public void Numpy() => Assert.That(Sniff([0x93, .. "NUMPY"u8, 1, 0, .. "{'descr': '<f4'}"u8]), Is.EqualTo(FileKind.Numpy));
    [Test] public void Gguf() => Assert.That(Sniff([.. "GGUF"u8, 3, 0, 0, 0]), Is.EqualTo(FileKind.Gguf));
    [Test] public void Elf() => Assert.That(Sniff([0x7F, .. "ELF"u8, 2, 1, 1, 0]), Is.EqualTo(FileKind.Executable));
    [Test] public void Shebang() => Assert.That(Sniff("#!/bin/sh\nrm -rf /\n"u8.ToArray()), Is.EqualTo(FileKind.Executable));
    [Test] public void MachO() => Assert.That(Sniff([0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1]), Is.EqualTo(FileKind.Executable));

    [Test]
    public void PeNeedsItsSignatureNotJustMz()
    {
        var pe = new byte[0x100];
        pe[0] = (byte)'M'; pe[1] = (byte)'Z'; pe[0x3C] = 0x80;
        "PE\0\0"u8.CopyTo(pe.AsSpan(0x80));
        Assert.That(Sniff(pe), Is.EqualTo(FileKind.Executable));
        Assert.That(Sniff("MZ is a postcode"u8.ToArray()), Is.EqualTo(FileKind.Text));
    }

    [Test] public void Json() => Assert.That(Sniff("\uFEFF  {\"model_type\": \"llama\"}"u8.ToArray()), Is.EqualTo(FileKind.Json));
    [Test] public void Empty() => Assert.That(Sniff([]), Is.EqualTo(FileKind.Empty));
    [Test] public void RandomBinaryIsUnknown() => Assert.That(Sniff([0, 1, 2, 3, 0xfe, 0xff, 0, 0, 9, 9, 9]), Is.EqualTo(FileKind.Unknown));

    [Test]
    public void SafetensorsHeaderLongerThanFileIsNotSafetensors()
    {
        var bytes = PickleBytes.Safetensors();
        Assert.That(Sniff(bytes[..20]), Is.Not.EqualTo(FileKind.Safetensors));
    }
}

public class FileInventoryTests
{
    [Test]
    public void ListsEveryFileSortedWithDigestsAndSniffedKinds()
    {
        var dir = SharedFixtures.TempDir("mg-inventory");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "sub"));
            var files = new Dictionary<string, byte[]>
            {
                ["model.bin"] = PickleBytes.Safetensors(),          // really safetensors
                ["model.safetensors"] = PickleBytes.OsSystemProtocol0(), // really a pickle
                ["config.json"] = Encoding.UTF8.GetBytes("{\"model_type\":\"llama\"}"),
                ["sub/run.sh"] = Encoding.UTF8.GetBytes("#!/bin/sh\necho\n"),
            };
            foreach (var (name, bytes) in files) File.WriteAllBytes(Path.Combine(dir, name), bytes);

            var inventory = FileInventory.Build(dir);

            Assert.That(inventory.Select(f => f.Path), Is.EqualTo(new[] { "config.json", "model.bin", "model.safetensors", "sub/run.sh" }));
            Assert.That(inventory.Select(f => f.Kind), Is.EqualTo(new[] { FileKind.Json, FileKind.Safetensors, FileKind.Pickle, FileKind.Executable }));
            foreach (var f in inventory)
            {
                Assert.That(f.Size, Is.EqualTo(files[f.Path].Length));
                Assert.That(f.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(files[f.Path]))));
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void MissingDirectoryIsAOneLineError()
    {
        var e = Assert.Throws<ModelGateException>(() => FileInventory.Build("/nonexistent/model-dir"));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.NothingScannable));
        Assert.That(e.Message, Does.StartWith("/nonexistent/model-dir:"));
    }
}

public class FileInventorySharedModelTests
{
    [Test]
    public void RealLlama2cCheckpointIsDigestedAndNotMistakenForAPickle()
    {
        var dir = SharedFixtures.RequireShared("models", "stories260K");
        var inventory = FileInventory.Build(dir);
        var model = inventory.Single(f => f.Path == "stories260K.bin");
        Assert.That(model.Size, Is.EqualTo(1_056_540));
        Assert.That(model.Sha256, Is.EqualTo("b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696")); // from ../shared/models/README.md
        Assert.That(model.Kind, Is.EqualTo(FileKind.Unknown));
        Assert.That(inventory.Single(f => f.Path == "golden-greedy-200.txt").Kind, Is.EqualTo(FileKind.Text));
        Assert.That(PickleScanner.ScanFile(Path.Combine(dir, "stories260K.bin")).Streams, Is.Empty);
    }

    [Test]
    public void RealTokenizerJsonIsJson() =>
        Assert.That(FileKindSniffer.Sniff(SharedFixtures.RequireShared("models", "gpt2-tokenizer", "tokenizer.json")), Is.EqualTo(FileKind.Json));
}
