using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Reporting;

/// <summary>
/// Golden-file comparison. Files are only (re)written when MODELGATE_UPDATE_GOLDEN=1, so a changed renderer
/// fails the build until someone looks at the diff and regenerates on purpose.
/// </summary>
public static class Golden
{
    public static string PathOf(string name) => Path.Combine(SharedFixtures.RepoRoot, "tests", "ModelGate.Core.Tests", "Reporting", "Golden", name);

    public static void AssertMatches(string actual, string name)
    {
        var path = PathOf(name);
        if (Environment.GetEnvironmentVariable("MODELGATE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.That(File.Exists(path), Is.True, $"golden file {path} is missing; run the tests with MODELGATE_UPDATE_GOLDEN=1 to create it");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.That(actual.ReplaceLineEndings("\n"), Is.EqualTo(expected), $"output differs from {path}; if the change is intended, regenerate with MODELGATE_UPDATE_GOLDEN=1");
    }
}
