using System.CommandLine;

namespace ModelGate.Cli;

/// <summary>Every subcommand, one file each under Commands/.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All(TextWriter output, TextWriter error)
    {
        yield return Commands.DoctorCommand.Create(output);
        yield return Commands.ConvertCommand.Create(output);
        yield return Commands.InspectCommand.Create(output);
        yield return Commands.GenerateCommand.Create(output);
        yield return Commands.ScanCommand.Create(output, error);
        yield return Commands.CalibrateCommand.Create(output, error);
        yield return Commands.CanaryCommand.Create(output, error);
    }
}
