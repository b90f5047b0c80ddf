namespace ModelGate.Tests.Shared;

/// <summary>
/// Finds ../shared (beside the checkout in CI) and the repository root. Tests that need ../shared
/// skip with a visible reason in a user's clone, where it does not exist.
/// </summary>
public static class SharedFixtures
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string? SharedDir
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("MODELGATE_SHARED_DIR");
            if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
            var beside = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(beside) ? beside : null;
        }
    }

    /// <summary>Returns a path under ../shared or marks the test ignored with the reason.</summary>
    public static string RequireShared(params string[] parts)
    {
        var dir = SharedDir;
        if (dir is null)
            Assert.Ignore("../shared is not beside this checkout (set MODELGATE_SHARED_DIR); this test needs its fixtures.");
        var path = Path.Combine(new[] { dir! }.Concat(parts).ToArray());
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Ignore($"{path} is missing from ../shared; this test needs it.");
        return path;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ModelGate.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ModelGate.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh temporary directory, removed by the caller's TearDown or left for inspection on failure.</summary>
    public static string TempDir(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
