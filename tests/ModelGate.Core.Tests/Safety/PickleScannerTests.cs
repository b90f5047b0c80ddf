using ModelGate.Core.Safety;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Safety;

public class PickleScannerTests
{
    private string _dir = "";

    [SetUp] public void SetUp() => _dir = SharedFixtures.TempDir("mg-pickle");
    [TearDown] public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Test]
    public void BenignTorchPickleHasOnlyAllowedImports()
    {
        var walk = PickleScanner.Walk(PickleBytes.BenignTorchStateDict());
        Assert.That(walk.Error, Is.Null);
        Assert.That(walk.Protocol, Is.EqualTo(2));
        Assert.That(walk.Imports.Select(i => i.QualifiedName), Is.EqualTo(new[]
        {
            "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch.FloatStorage", "collections.OrderedDict",
        }));
        Assert.That(walk.Imports.All(i => i.Risk == ImportRisk.Allowed), Is.True);
    }

    [Test]
    public void OsSystemProtocol0IsDangerous()
    {
        var walk = PickleScanner.Walk(PickleBytes.OsSystemProtocol0());
        Assert.That(walk.Error, Is.Null);
        Assert.That(walk.Imports.Single(), Is.EqualTo(new PickleImport("os", "system", ImportRisk.Dangerous, 0)));
    }

    [Test]
    public void StackGlobalOperandsAreResolved()
    {
        var walk = PickleScanner.Walk(PickleBytes.PosixSystemStackGlobal());
        Assert.That(walk.Error, Is.Null);
        Assert.That(walk.Protocol, Is.EqualTo(4));
        var import = walk.Imports.Single();
        Assert.That(import.QualifiedName, Is.EqualTo("posix.system"));
        Assert.That(import.Risk, Is.EqualTo(ImportRisk.Dangerous));
    }

    [Test]
    public void StackGlobalOperandFetchedFromMemoIsResolved()
    {
        var walk = PickleScanner.Walk(PickleBytes.BuiltinsExecViaMemo());
        Assert.That(walk.Error, Is.Null);
        Assert.That(walk.Imports.Single().QualifiedName, Is.EqualTo("builtins.exec"));
        Assert.That(walk.Imports.Single().Risk, Is.EqualTo(ImportRisk.Dangerous));
    }

    [Test]
    public void UnvettedImportIsUnknownNotAllowed()
    {
        var walk = PickleScanner.Walk(PickleBytes.UnknownGlobal());
        Assert.That(walk.Imports.Single().Risk, Is.EqualTo(ImportRisk.Unknown));
    }

    [TestCase("runpy", "_run_code", ImportRisk.Dangerous)]
    [TestCase("subprocess", "Popen", ImportRisk.Dangerous)]
    [TestCase("builtins", "eval", ImportRisk.Dangerous)]
    [TestCase("__builtin__", "getattr", ImportRisk.Dangerous)]
    [TestCase("nt", "system", ImportRisk.Dangerous)]
    [TestCase("torch.serialization", "_get_layout", ImportRisk.Dangerous)]
    [TestCase("torch", "bfloat16", ImportRisk.Allowed)]
    [TestCase("numpy.core.multiarray", "_reconstruct", ImportRisk.Allowed)]
    [TestCase("torch.nn.modules.linear", "Linear", ImportRisk.Unknown)]
    public void ImportPolicy(string module, string name, ImportRisk expected) =>
        Assert.That(PickleImportPolicy.Judge(module, name), Is.EqualTo(expected));

    [Test]
    public void TruncatedStreamIsReportedNotThrown()
    {
        var bytes = PickleBytes.BenignTorchStateDict();
        var walk = PickleScanner.Walk(bytes.AsSpan(0, bytes.Length - 12));
        Assert.That(walk.Error, Does.StartWith("malformed pickle at byte"));
        // Imports seen before the damage are still reported.
        Assert.That(walk.Imports, Is.Not.Empty);
    }

    [Test]
    public void UnknownOpcodeAndStackUnderflowAreReported()
    {
        Assert.That(PickleScanner.Walk([0x80, 2, 0xff, (byte)'.']).Error, Does.Contain("unknown opcode 0xff"));
        Assert.That(PickleScanner.Walk([0x80, 2, (byte)'R', (byte)'.']).Error, Does.Contain("stack underflow"));
        Assert.That(PickleScanner.Walk([0x80, 9, (byte)'.']).Error, Does.Contain("unsupported protocol 9"));
    }

    [Test]
    public void UnresolvableStackGlobalFailsClosed()
    {
        // STACK_GLOBAL over two non-strings (ints): the scanner cannot name the import, so it must not pass it.
        var walk = PickleScanner.Walk([0x80, 4, (byte)'K', 1, (byte)'K', 2, 0x93, (byte)'.']);
        Assert.That(walk.Imports.Single().Risk, Is.EqualTo(ImportRisk.Dangerous));
    }

    [Test]
    public void ZipArchiveMembersAreScanned()
    {
        var evil = PickleScanner.ScanFile(Write("pytorch_model.bin", PickleBytes.TorchZip(PickleBytes.PosixSystemStackGlobal())));
        Assert.That(evil.Streams.Single().Member, Is.EqualTo("archive/data.pkl"));
        Assert.That(evil.HasDangerous, Is.True);

        var good = PickleScanner.ScanFile(Write("good.bin", PickleBytes.TorchZip(PickleBytes.BenignTorchStateDict())));
        Assert.That(good.HasDangerous || good.HasUnknown || good.HasMalformed, Is.False);
        Assert.That(good.Imports.Count(), Is.EqualTo(4));
    }

    [Test]
    public void PickleNamedSafetensorsIsStillScanned()
    {
        var report = PickleScanner.ScanFile(Write("model.safetensors", PickleBytes.OsSystemProtocol0()));
        Assert.That(report.HasDangerous, Is.True);
    }

    [Test]
    public void ConsecutiveLegacyPicklesAreAllWalked()
    {
        var bytes = PickleBytes.BenignTorchStateDict().Concat(PickleBytes.PosixSystemStackGlobal()).Concat(new byte[] { 1, 2, 3 }).ToArray();
        var report = PickleScanner.ScanFile(Write("legacy.pt", bytes));
        Assert.That(report.Streams, Has.Count.EqualTo(2));
        Assert.That(report.HasDangerous, Is.True);
        Assert.That(report.HasMalformed, Is.False);
    }

    [Test]
    public void LegacyTorchFileWalksFivePicklesAndIgnoresStorageBytesThatLookLikeProto()
    {
        byte[] magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
        byte[] small = [0x80, 0x02, (byte)'}', (byte)'.'];
        // Raw storage: an 8-byte element count of 640 (80 02 00 …), which would read as PROTO 2 then an unknown opcode.
        byte[] storage = [0x80, 0x02, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        var file = magic.Concat(small).Concat(small).Concat(PickleBytes.BenignTorchStateDict()).Concat(small).Concat(storage).ToArray();
        var report = PickleScanner.ScanFile(Write("legacy.bin", file));
        Assert.That(report.Streams, Has.Count.EqualTo(5));
        Assert.That(report.HasMalformed, Is.False);
        Assert.That(report.Imports.All(i => i.Risk == ImportRisk.Allowed), Is.True);

        var evil = magic.Concat(small).Concat(small).Concat(PickleBytes.PosixSystemStackGlobal()).Concat(small).Concat(storage).ToArray();
        Assert.That(PickleScanner.ScanFile(Write("evil-legacy.bin", evil)).HasDangerous, Is.True);
    }

    [Test]
    public void SafetensorsFileHasNoPickleStreams() =>
        Assert.That(PickleScanner.ScanFile(Write("model.bin", PickleBytes.Safetensors())).Streams, Is.Empty);
}
