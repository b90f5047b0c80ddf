using ModelGate.Tests.Shared;

namespace ModelGate.Packaging.Tests;

/// <summary>
/// Runs action/self-test.sh the way the action's self-test step does (same environment variables, GITHUB_ACTIONS=true,
/// the action folder as GITHUB_ACTION_PATH) against the real modelgate CLI built from src/ModelGate.Cli. It must pass on
/// the shipped backdoored canary and fail on the clean one: a self-test that cannot fail proves nothing.
/// Category Slow: two real scans, about a minute each on two CPU cores.
/// </summary>
[TestFixture, NonParallelizable, Category("Slow")]
public sealed class ActionSelfTestTests
{
    private string _root = "";

    [OneTimeSetUp]
    public void FindCli()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("The modelgate tool ships for linux-x64 only.");
        if (ActionValidationTests.FindOnPath("bash") is null) Assert.Ignore("bash is not on PATH.");
        _root = SharedFixtures.TempDir("mg-self-test");
        _ = BuiltCli.AppHost;
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (_root.Length > 0 && TestContext.CurrentContext.Result.FailCount == 0)
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private (int Code, string Output, string Summary) SelfTest(string name, string? canary)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        var summary = Path.Combine(dir, "step_summary.md");
        File.WriteAllText(summary, "");
        var env = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_ACTION_PATH"] = Path.Combine(SharedFixtures.RepoRoot, "action"),
            ["GITHUB_STEP_SUMMARY"] = summary,
            ["RUNNER_TEMP"] = dir,
            ["MG_TOOL_DIR"] = BuiltCli.Directory,
            ["MG_REPORT_DIR"] = Path.Combine(dir, "reports"),
        };
        // Unset, the script uses the action's default, $GITHUB_ACTION_PATH/../samples/canaries/backdoored.
        if (canary is not null) env["MG_CANARY"] = canary;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (code, output) = ProcessRunner.Run("bash", [Path.Combine(SharedFixtures.RepoRoot, "action", "self-test.sh")], dir, env, timeoutSeconds: 600);
        TestContext.Progress.WriteLine($"ActionSelfTestTests: self-test.sh on {canary ?? "the default canary"}: exit {code} in {watch.Elapsed.TotalSeconds:F0} s");
        return (code, output, File.ReadAllText(summary));
    }

    [Test]
    public void PassesWhenTheBackdooredCanaryIsCaught()
    {
        var (code, output, summary) = SelfTest("backdoored", canary: null);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("::notice title=ModelGate self-test::the backdoored canary was caught"));
        Assert.That(summary, Is.Empty, "the self-test must not publish the canary's verdict as the repository's result");
    }

    [Test]
    public void FailsWhenPointedAtTheCleanCanary()
    {
        var clean = Path.Combine(SharedFixtures.RepoRoot, "samples", "canaries", "clean");
        var (code, output, _) = SelfTest("clean", clean);
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("::error title=ModelGate self-test::the canary at"));
        Assert.That(output, Does.Contain("was NOT caught (exit 0"));
    }
}
