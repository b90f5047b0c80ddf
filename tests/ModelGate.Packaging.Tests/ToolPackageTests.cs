using ModelGate.Tests.Shared;

namespace ModelGate.Packaging.Tests;

/// <summary>
/// Runs eng/pack.sh into a temporary folder feed, installs the tool from it the way CI does
/// (`dotnet tool install --tool-path DIR --add-source FEED`), runs `modelgate --version`, and checks the package sizes.
/// Category Slow: packing ~0.5 GB of libtorch natives takes about a minute on two cores.
/// </summary>
[TestFixture, NonParallelizable, Category("Slow")]
public sealed class ToolPackageTests
{
    private const long NuGetOrgLimit = 250_000_000;
    private string _root = "";
    private string _feed = "";

    [OneTimeSetUp]
    public void Pack()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("eng/pack.sh is a bash script; the tool ships for linux-x64 first.");
        _root = SharedFixtures.TempDir("mg-pack");
        _feed = Path.Combine(_root, "feed");
        var (code, output) = ProcessRunner.Run("bash", [Path.Combine(SharedFixtures.RepoRoot, "eng", "pack.sh"), _feed], SharedFixtures.RepoRoot, timeoutSeconds: 600);
        Assert.That(code, Is.Zero, output);
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (_root.Length > 0) try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Test]
    public void PacksPointerTaskAndLinuxPackagesUnderTheSizeLimit()
    {
        var packages = Directory.GetFiles(_feed, "*.nupkg").Select(p => new FileInfo(p)).ToList();
        var names = packages.Select(p => p.Name).ToList();
        Assert.That(names, Has.Some.Match(@"^ModelGate\.\d+\.\d+\.\d+.*\.nupkg$"), "the pointer tool package");
        Assert.That(names, Has.Some.Match(@"^ModelGate\.linux-x64\.\d.*\.nupkg$"), "the linux-x64 tool package");
        Assert.That(names, Has.Some.Match(@"^ModelGate\.MSBuild\.\d.*\.nupkg$"), "the MSBuild task package");
        Assert.That(packages, Has.All.Matches<FileInfo>(p => p.Length < NuGetOrgLimit),
            string.Join(", ", packages.Select(p => $"{p.Name}={p.Length}")));
    }

    [Test]
    public void NoPackageCarriesAnotherPlatformsNatives()
    {
        foreach (var package in Directory.GetFiles(_feed, "*.nupkg"))
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(package);
            var foreign = zip.Entries.Select(e => e.FullName)
                .Where(n => n.EndsWith(".dylib", StringComparison.Ordinal) || n.Contains("win-x64/") || n.Contains("osx-")
                            || (n.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && n.Contains("torch", StringComparison.OrdinalIgnoreCase) && !n.EndsWith("TorchSharp.dll", StringComparison.Ordinal)))
                .ToList();
            Assert.That(foreign, Is.Empty, Path.GetFileName(package));
        }
    }

    [Test]
    public void InstallsFromTheFolderFeedAndRunsVersion()
    {
        var toolDir = Path.Combine(_root, "tool");
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_root, "packages") };
        var version = Path.GetFileNameWithoutExtension(Directory.GetFiles(_feed, "ModelGate.linux-x64.*.nupkg").Single())["ModelGate.linux-x64.".Length..];
        var (code, output) = ProcessRunner.Run("dotnet", ["tool", "install", "ModelGate", "--version", version, "--tool-path", toolDir, "--add-source", _feed], _root, isolated, timeoutSeconds: 300);
        Assert.That(code, Is.Zero, output);
        var (runCode, runOutput) = ProcessRunner.Run(Path.Combine(toolDir, "modelgate"), ["--version"], _root);
        Assert.That(runCode, Is.Zero, runOutput);
        Assert.That(runOutput.Trim(), Does.StartWith(version));
    }
}
