namespace ModelGate.Tests.Shared;

/// <summary>
/// The real modelgate CLI built from src/ModelGate.Cli in the test assembly's own configuration (bin/Release → the
/// Release CLI). `./build.sh test` builds the solution first, so it is normally there; when it is not (a lone test
/// project build) it is built once. It is never rebuilt when present: other test projects (eng/pack.sh) use the same
/// project concurrently, and two builds of one project at once can break each other.
/// </summary>
public static class BuiltCli
{
    private static readonly Lazy<string> Located = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The apphost `modelgate` (what a tool install puts on PATH).</summary>
    public static string AppHost => Located.Value;

    public static string Directory => Path.GetDirectoryName(AppHost)!;

    public static string Configuration =>
        Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);

    private static string Locate()
    {
        var project = Path.Combine(SharedFixtures.RepoRoot, "src", "ModelGate.Cli", "ModelGate.Cli.csproj");
        var dir = Path.Combine(SharedFixtures.RepoRoot, "src", "ModelGate.Cli", "bin", Configuration, "net10.0");
        var apphost = Path.Combine(dir, OperatingSystem.IsWindows() ? "modelgate.exe" : "modelgate");
        if (!File.Exists(apphost) || !File.Exists(Path.Combine(dir, "modelgate.dll")))
        {
            var (code, output) = ProcessRunner.Run("dotnet", ["build", project, "-c", Configuration, "-nologo", "-v", "quiet"],
                SharedFixtures.RepoRoot, timeoutSeconds: 600);
            if (code != 0 || !File.Exists(apphost))
                throw new InvalidOperationException($"could not build {project} ({Configuration}), exit {code}:\n{output}");
        }
        return apphost;
    }

    /// <summary>Environment for a CLI child process: never publish to GitHub from a test, even when CI is Actions.</summary>
    public static Dictionary<string, string> QuietEnvironment() => new() { ["GITHUB_ACTIONS"] = "false" };
}
