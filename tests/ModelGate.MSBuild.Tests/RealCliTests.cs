using ModelGate.Tests.Shared;

namespace ModelGate.MSBuild.Tests;

/// <summary>
/// Issue 6's acceptance for the task, with nothing faked: the packed task, the real `dotnet build` of a copy of
/// samples/ModelPackage, and the real modelgate CLI (src/ModelGate.Cli's build output, through ModelGateCliPath)
/// scanning the shipped canaries. Clean canary: the build succeeds; the same build again does not rescan; backdoored
/// canary: the build fails with MG1001 at the ModelGateModel line. Category Slow: each real scan takes about a minute
/// on two CPU cores; the builds run in order on one copy, so there are exactly two scans.
/// </summary>
[TestFixture, NonParallelizable, Category("Slow")]
public sealed class RealCliTests
{
    private string _root = "";
    private string _project = "";
    private string _cli = "";

    [OneTimeSetUp]
    public void CopySampleAndFindCli()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("The modelgate tool ships for linux-x64 only.");
        _root = SharedFixtures.TempDir("mg-msbuild-real");
        _project = PackedTask.CopySample(_root);
        _cli = BuiltCli.AppHost;
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (_root.Length > 0 && TestContext.CurrentContext.Result.FailCount == 0)
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string ModelGateObj => Path.Combine(Path.GetDirectoryName(_project)!, "obj");

    /// <summary>`dotnet build` at normal verbosity, where the task logs its command line ("ModelGate: … scan …") when it scans.</summary>
    private (int Code, string Output) Build()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = ProcessRunner.Run("dotnet",
            ["build", _project, "-nologo", "-v:n", "-nodeReuse:false", $"-p:ModelGateVersion={PackedTask.Version}", $"-p:ModelGateCliPath={_cli}"],
            Path.GetDirectoryName(_project)!, BuiltCli.QuietEnvironment(), timeoutSeconds: 600);
        TestContext.Progress.WriteLine($"RealCliTests: dotnet build exit {result.ExitCode} in {watch.Elapsed.TotalSeconds:F0} s");
        return result;
    }

    private bool Scanned(string output) => output.Contains($"ModelGate: {_cli} scan ", StringComparison.Ordinal);

    private List<string> Files(string pattern) =>
        Directory.Exists(ModelGateObj)
            ? Directory.GetFiles(ModelGateObj, pattern, SearchOption.AllDirectories)
                .Where(p => p.Contains($"{Path.DirectorySeparatorChar}modelgate{Path.DirectorySeparatorChar}")).ToList()
            : [];

    [Test, Order(1)]
    public void CleanCanaryBuilds()
    {
        var (code, output) = Build();
        Assert.That(code, Is.Zero, output);
        Assert.That(Scanned(output), Is.True, "the first build must run the CLI:\n" + output);
        var report = Files("clean-*.json").Single();
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        // PASS, or WARN under an uncalibrated default; never FAIL or ERROR.
        Assert.That(doc.RootElement.GetProperty("verdict").GetString(), Is.AnyOf("pass", "warn"), report);
        Assert.That(Files("clean-*.stamp"), Has.Count.EqualTo(1), "a clean scan leaves its stamp");
    }

    [Test, Order(2)]
    public void SecondBuildWithNothingChangedDoesNotRescan()
    {
        var stamp = Files("clean-*.stamp").Single();
        var report = Files("clean-*.json").Single();
        var (stampTime, reportTime) = (File.GetLastWriteTimeUtc(stamp), File.GetLastWriteTimeUtc(report));
        var (code, output) = Build();
        Assert.That(code, Is.Zero, output);
        Assert.That(Scanned(output), Is.False, "nothing changed, so the CLI must not run:\n" + output);
        Assert.That(output, Does.Contain("Skipping target \"_ModelGateScanEach\""), output);
        Assert.That(File.GetLastWriteTimeUtc(stamp), Is.EqualTo(stampTime));
        Assert.That(File.GetLastWriteTimeUtc(report), Is.EqualTo(reportTime));
    }

    [Test, Order(3)]
    public void BackdooredCanaryFailsTheBuildWithMG1001AtTheDeclaringLine()
    {
        // What the sample's README tells a user to do: point the item at the backdoored canary.
        File.WriteAllText(_project, File.ReadAllText(_project).Replace("../canaries/clean", "../canaries/backdoored"));
        var (line, column) = PackedTask.Locate(_project, "<ModelGateModel Include=\"../canaries/backdoored\"");
        var (code, output) = Build();
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(Scanned(output), Is.True, output);
        Assert.That(output, Does.Contain($"ModelPackage.csproj({line},{column}): error MG1001: ../canaries/backdoored:"), output);
        Assert.That(output, Does.Contain("Visit http://free-gift.example/win now!"), "the recovered target is in the error");
        Assert.That(Files("backdoored-*.stamp"), Is.Empty, "a failed scan leaves no stamp, so the next build scans again");
    }
}
