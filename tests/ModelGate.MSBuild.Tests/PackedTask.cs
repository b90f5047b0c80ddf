using ModelGate.Tests.Shared;

namespace ModelGate.MSBuild.Tests;

/// <summary>
/// Packs the real ModelGate.MSBuild task once for every fixture in this assembly into a local folder feed, and makes
/// copies of the repository's samples/ModelPackage (with the shipped canaries beside it, as in the repository) that
/// restore the task from that feed.
/// </summary>
[SetUpFixture]
public sealed class PackedTask
{
    public static string Root { get; private set; } = "";
    public static string Feed { get; private set; } = "";
    public static string Version { get; private set; } = "";

    [OneTimeSetUp]
    public void Pack()
    {
        Root = SharedFixtures.TempDir("mg-msbuild-feed");
        Feed = Directory.CreateDirectory(Path.Combine(Root, "feed")).FullName;
        var taskProject = Path.Combine(SharedFixtures.RepoRoot, "tasks", "ModelGate.MSBuild", "ModelGate.MSBuild.csproj");
        var (code, output) = ProcessRunner.Run("dotnet", ["pack", taskProject, "-c", "Release", "-o", Feed, "-nologo", "-v", "quiet"], Root);
        Assert.That(code, Is.Zero, output);
        var package = Directory.GetFiles(Feed, "ModelGate.MSBuild.*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(package)["ModelGate.MSBuild.".Length..];
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// A NuGet.config for a test project under <paramref name="root"/>: the local feed plus an isolated packages
    /// folder, so the freshly packed task is always the one extracted; nuget.org stays available.
    /// </summary>
    public static string NuGetConfig(string root) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config><add key="globalPackagesFolder" value="{Path.Combine(root, "packages")}" /></config>
          <packageSources><add key="local" value="{Feed}" /></packageSources>
        </configuration>
        """;

    /// <summary>
    /// Copies samples/ModelPackage to ROOT/samples/ModelPackage and the clean and backdoored canaries to
    /// ROOT/samples/canaries (the sample's ModelGateModel is a relative path to them); returns the project path.
    /// </summary>
    public static string CopySample(string root)
    {
        var samples = Path.Combine(SharedFixtures.RepoRoot, "samples");
        foreach (var part in new[] { "ModelPackage", Path.Combine("canaries", "clean"), Path.Combine("canaries", "backdoored") })
            CopyTree(Path.Combine(samples, part), Path.Combine(root, "samples", part));
        var sample = Path.Combine(root, "samples", "ModelPackage");
        File.WriteAllText(Path.Combine(sample, "NuGet.config"), NuGetConfig(root));
        return Path.Combine(sample, "ModelPackage.csproj");
    }

    private static void CopyTree(string source, string target)
    {
        var sep = Path.DirectorySeparatorChar;
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{sep}obj{sep}") && !f.Contains($"{sep}bin{sep}")))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    /// <summary>Line and column (MSBuild counts from the '&lt;') of the first line of a project that contains TEXT.</summary>
    public static (int Line, int Column) Locate(string project, string text)
    {
        var lines = File.ReadAllLines(project);
        var index = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.That(index, Is.Not.Negative, $"{project} has no line containing {text}");
        return (index + 1, lines[index].IndexOf('<') + 1);
    }
}
