using System.CommandLine;

namespace ModelGate.Cli;

/// <summary>Options shared by several commands, so that their names and help read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Device() => new("--device")
    {
        Description = "Where to run the model: auto (CUDA when available), cpu, cuda or cuda:N.",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<int> Seed() => new("--seed")
    {
        Description = "Random seed; recorded in every report so a run can be repeated.",
        DefaultValueFactory = _ => 1234,
    };
}
