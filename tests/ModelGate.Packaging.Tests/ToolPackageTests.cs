using ModelGate.Tests.Shared;

namespace ModelGate.Packaging.Tests;

/// <summary>
/// Runs eng/pack.sh into a temporary folder feed, installs the tool from it the way a fresh machine would
/// (`dotnet tool install --tool-path DIR --add-source FEED`, with an empty NuGet cache), checks the package sizes, and
/// runs the installed `modelgate`: --version, and a scan of the shipped backdoored canary, which must fail the gate
/// with MG1001. Category Slow: packing ~0.5 GB of libtorch natives takes about a minute on two cores, the scan another.
/// </summary>
[TestFixture, NonParallelizable, Category("Slow")]
public sealed class ToolPackageTests
{
    private const long NuGetOrgLimit = 250_000_000;
    private string _root = "";
    private string _feed = "";
    private string _toolDir = "";
    private string _version = "";

    [OneTimeSetUp]
    public void Pack()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("eng/pack.sh is a bash script; the tool ships for linux-x64 first.");
        _root = SharedFixtures.TempDir("mg-pack");
        _feed = Path.Combine(_root, "feed");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (code, output) = ProcessRunner.Run("bash", [Path.Combine(SharedFixtures.RepoRoot, "eng", "pack.sh"), _feed], SharedFixtures.RepoRoot, timeoutSeconds: 600);
        Assert.That(code, Is.Zero, output);
        TestContext.Progress.WriteLine($"ToolPackageTests: eng/pack.sh took {watch.Elapsed.TotalSeconds:F0} s");

        // An empty packages folder: the install must not lean on anything this machine restored before.
        watch.Restart();
        _toolDir = Path.Combine(_root, "tool");
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_root, "packages") };
        _version = Path.GetFileNameWithoutExtension(Directory.GetFiles(_feed, "ModelGate.linux-x64.*.nupkg").Single())["ModelGate.linux-x64.".Length..];
        var (installCode, installOutput) = ProcessRunner.Run("dotnet",
            ["tool", "install", "ModelGate", "--version", _version, "--tool-path", _toolDir, "--add-source", _feed], _root, isolated, timeoutSeconds: 300);
        Assert.That(installCode, Is.Zero, installOutput);
        TestContext.Progress.WriteLine($"ToolPackageTests: dotnet tool install took {watch.Elapsed.TotalSeconds:F0} s");
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
    public void InstalledToolRunsVersion()
    {
        var (runCode, runOutput) = ProcessRunner.Run(Path.Combine(_toolDir, "modelgate"), ["--version"], _root);
        Assert.That(runCode, Is.Zero, runOutput);
        Assert.That(runOutput.Trim(), Does.StartWith(_version));
    }

    [Test]
    public void InstalledToolCatchesTheShippedBackdooredCanary()
    {
        // Run from an empty folder, so no ./modelgate.json policy is picked up: the built-in policy must catch it.
        var work = Directory.CreateDirectory(Path.Combine(_root, "scan")).FullName;
        var canary = Path.Combine(SharedFixtures.RepoRoot, "samples", "canaries", "backdoored");
        var report = Path.Combine(work, "report.json");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (code, output) = ProcessRunner.Run(Path.Combine(_toolDir, "modelgate"), ["scan", canary, "--json", report], work,
            BuiltCli.QuietEnvironment(), timeoutSeconds: 600);
        TestContext.Progress.WriteLine($"ToolPackageTests: installed modelgate scan of the backdoored canary: exit {code} in {watch.Elapsed.TotalSeconds:F0} s");
        Assert.That(code, Is.EqualTo(1), output);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        Assert.That(doc.RootElement.GetProperty("verdict").GetString(), Is.EqualTo("fail"));
        var rules = doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).ToList();
        Assert.That(rules, Does.Contain("MG1001"), output);
    }
}
