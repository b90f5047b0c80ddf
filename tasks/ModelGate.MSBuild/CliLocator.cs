namespace ModelGate.MSBuild;

/// <summary>How to start the CLI: an executable plus leading arguments (e.g. dotnet + "tool run modelgate").</summary>
internal sealed record CliCommand(string FileName, IReadOnlyList<string> LeadingArgs, string Description);

/// <summary>Finds the modelgate CLI: ModelGateCliPath, else `modelgate` on PATH, else a local tool manifest that lists it.</summary>
internal static class CliLocator
{
    public const string InstallHint =
        "Install it with `dotnet tool install --global ModelGate` (or a local tool manifest) or set the ModelGateCliPath property to the modelgate executable.";

    public static CliCommand? Locate(string? explicitPath, string workingDirectory, out string? problem)
    {
        problem = null;
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            if (File.Exists(explicitPath)) return new CliCommand(explicitPath!, [], explicitPath!);
            problem = $"ModelGateCliPath '{explicitPath}' does not exist.";
            return null;
        }

        var names = OperatingSystem.IsWindows() ? new[] { "modelgate.exe", "modelgate.cmd" } : ["modelgate"];
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return new CliCommand(candidate, [], candidate);
            }
        }

        // `dotnet tool run` only works when a tool manifest above the project lists the tool; checking first
        // turns a confusing dotnet error into the MG0001 install hint.
        for (var dir = new DirectoryInfo(workingDirectory); dir is not null; dir = dir.Parent)
        {
            var manifest = Path.Combine(dir.FullName, ".config", "dotnet-tools.json");
            if (File.Exists(manifest) && File.ReadAllText(manifest).Contains("\"modelgate\"", StringComparison.OrdinalIgnoreCase))
                return new CliCommand("dotnet", ["tool", "run", "modelgate", "--"], "dotnet tool run modelgate");
        }
        problem = "The modelgate CLI was not found (not in ModelGateCliPath, not on PATH, not in a dotnet tool manifest).";
        return null;
    }
}
