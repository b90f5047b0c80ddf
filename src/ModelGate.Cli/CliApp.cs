using System.CommandLine;
using System.Reflection;
using ModelGate.Core;

namespace ModelGate.Cli;

/// <summary>Builds the command tree and maps every outcome to the exit codes in <see cref="ExitCodes"/>.</summary>
public static class CliApp
{
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public static RootCommand BuildRoot(TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "ModelGate: detects backdoored (poisoned) language models, inverts their triggers, and gates CI on the verdict.\n" +
            "Exit codes: 0 pass, 1 gate failed, 2 error (never a pass), 3 nothing scannable, 4 usage error.");
        foreach (var command in CommandCatalog.All(output, error))
            root.Subcommands.Add(command);
        return root;
    }

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = BuildRoot(output, error);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                error.WriteLine($"modelgate: {e.Message}");
            error.WriteLine("Run 'modelgate --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (ModelGateException e)
        {
            error.WriteLine($"modelgate: error: {e.Message}");
            return ExitCodes.For(e.Kind);
        }
        catch (Exception e)
        {
            // Fail closed: an unexpected crash is an error, never a pass.
            error.WriteLine($"modelgate: internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return ExitCodes.Error;
        }
    }
}
