using ModelGate.Tests.Shared;

namespace ModelGate.Packaging.Tests;

/// <summary>
/// Validates action/action.yml and the sample workflow against GitHub's schemas with the npm package
/// @action-validator/cli, installed into a temporary prefix. Skips with a visible reason when npm is absent.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ActionValidationTests
{
    private string _prefix = "";
    private string _validator = "";

    [OneTimeSetUp]
    public void InstallValidator()
    {
        if (FindOnPath("npm") is null)
            Assert.Ignore("npm is not on PATH; install Node.js to validate the action with @action-validator/cli.");
        _prefix = SharedFixtures.TempDir("mg-action-validator");
        var (code, output) = ProcessRunner.Run("npm", ["install", "--prefix", _prefix, "@action-validator/cli", "--no-audit", "--no-fund"], _prefix, timeoutSeconds: 180);
        if (code != 0) Assert.Ignore($"npm could not install @action-validator/cli (offline?):\n{output}");
        _validator = Path.Combine(_prefix, "node_modules", ".bin", "action-validator");
        Assert.That(File.Exists(_validator), Is.True, output);
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (_prefix.Length > 0) try { Directory.Delete(_prefix, recursive: true); } catch (IOException) { }
    }

    [TestCase("action/action.yml")]
    [TestCase("samples/workflows/modelgate.yml")]
    public void FileIsValidAgainstGitHubSchema(string relative)
    {
        var (code, output) = ProcessRunner.Run(_validator, [Path.Combine(SharedFixtures.RepoRoot, relative)], SharedFixtures.RepoRoot);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public void ReadmeWorkflowIsValidAgainstGitHubSchema()
    {
        // The README's "Gate a GitHub workflow" block is what people copy: it must be a valid workflow as written.
        var readme = File.ReadAllText(Path.Combine(SharedFixtures.RepoRoot, "README.md"));
        var section = readme.IndexOf("## Gate a GitHub workflow", StringComparison.Ordinal);
        Assert.That(section, Is.Not.Negative, "README.md has a 'Gate a GitHub workflow' section");
        var start = readme.IndexOf("```yaml\n", section, StringComparison.Ordinal) + "```yaml\n".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        var workflow = Path.Combine(_prefix, "readme-workflow.yml");
        File.WriteAllText(workflow, readme[start..end]);
        Assert.That(readme[start..end], Does.Contain("modelgate/modelgate/action@"));
        var (code, output) = ProcessRunner.Run(_validator, [workflow], _prefix);
        Assert.That(code, Is.Zero, output + "\n" + readme[start..end]);
    }

    [Test]
    public void ValidatorRejectsABrokenWorkflow()
    {
        // Proves the check above can fail: a job with a misspelt key must be rejected.
        var bad = Path.Combine(_prefix, "bad.yml");
        File.WriteAllText(bad, "name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n");
        var (code, output) = ProcessRunner.Run(_validator, [bad], _prefix);
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("stepz"));
    }

    [Test]
    public void ActionNeverInlinesInputsIntoScripts()
    {
        // Script injection: inputs must reach run: scripts only through env:.
        var lines = File.ReadAllLines(Path.Combine(SharedFixtures.RepoRoot, "action", "action.yml"));
        var runLines = lines.Where(l => l.TrimStart().StartsWith("run:", StringComparison.Ordinal)).ToList();
        Assert.That(runLines, Is.Not.Empty);
        Assert.That(runLines, Has.None.Contains("${{"), string.Join("\n", runLines));
    }

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(d => d.Length > 0).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
