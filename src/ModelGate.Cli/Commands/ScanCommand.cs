using System.CommandLine;
using ModelGate.Cli.Rendering;
using ModelGate.Core;
using ModelGate.Core.Detection;
using ModelGate.Core.Policy;
using ModelGate.Core.Reporting;
using ModelGate.GitHub;
using Spectre.Console;

namespace ModelGate.Cli.Commands;

/// <summary>
/// `modelgate scan MODEL`: runs the gate (Core's ScanPipeline), writes the requested reports, prints the console
/// report, publishes to GitHub when wanted, and exits with the gate's code. Reports and publishing happen before
/// the exit code is returned; publishing failures are notes, never a different exit code.
/// </summary>
internal static class ScanCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Argument<string>("model") { Description = "Hugging Face model directory to scan." };
        var policy = new Option<string?>("--policy") { Description = $"Policy file (default: ./{GatePolicyLoader.FileName} when present)." };
        var reference = new Option<string?>("--reference") { Description = "Base model the candidate was fine-tuned from; enables the weight-delta detector." };
        var json = new Option<string?>("--json") { Description = "Write the JSON report (docs/schemas/scan-result.schema.json) here." };
        var sarif = new Option<string?>("--sarif") { Description = "Write a SARIF 2.1.0 report here." };
        var junit = new Option<string?>("--junit") { Description = "Write a JUnit XML report (one test per detector) here." };
        var markdown = new Option<string?>("--markdown") { Description = "Write a Markdown report here." };
        var calibration = new Option<string?>("--calibration") { Description = "Calibration file from `modelgate calibrate` (default: the built-in calibration)." };
        var device = new Option<string?>("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N (default: the policy's device, else auto)." };
        var seed = new Option<int?>("--seed") { Description = "Random seed (default: the policy's seed, else 1234); recorded in every report." };
        var github = new Option<bool>("--github") { Description = "Publish a check run, annotations, job summary and step outputs (automatic when GITHUB_ACTIONS=true)." };
        var budget = new Option<int?>("--budget-seconds") { Description = "Wall-clock budget for the detectors; overrun is an error unless the policy allows skipping." };
        var command = new Command("scan", "Scan a model for backdoors and unsafe files; exit 0 pass/warn, 1 fail, 2 error, 3 nothing scannable, 4 usage.")
        {
            model, policy, reference, json, sarif, junit, markdown, calibration, device, seed, github, budget,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(budget) is <= 0) throw new ModelGateException(ErrorKind.Usage, "--budget-seconds must be positive");
            if (parse.GetValue(reference) is { } r && !Directory.Exists(r))
                throw new ModelGateException(ErrorKind.Usage, "--reference: not a model directory", r);
            var reports = new ReportPaths(parse.GetValue(json), parse.GetValue(sarif), parse.GetValue(junit), parse.GetValue(markdown));
            var style = ConsoleReport.ChooseStyle(output);
            var request = new ScanRequest
            {
                ModelPath = parse.GetValue(model)!, Tool = Tool, ReferencePath = parse.GetValue(reference),
                Device = parse.GetValue(device), Seed = parse.GetValue(seed), BudgetSeconds = parse.GetValue(budget), Reports = reports,
            };
            try
            {
                request = request with
                {
                    Policy = GatePolicyLoader.LoadOrDefault(parse.GetValue(policy), Directory.GetCurrentDirectory()),
                    Calibration = parse.GetValue(calibration) is { } calPath ? LoadCalibration(calPath) : null,
                };
            }
            catch (ModelGateException e)
            {
                // The scan cannot start, but the requested reports still say ERROR and why.
                ScanPipeline.SetupFailed(request, e);
                throw;
            }
            // A device this build cannot use is the caller's mistake (exit 4), found before any work is done.
            TorchRuntime.ResolveDevice(request.Device ?? request.Policy.Policy.Device);
            var outcome = WithProgress(style, error, request);

            foreach (var w in outcome.Warnings) error.WriteLine($"modelgate: warning: {w}");
            ConsoleReport.Write(outcome.Result, output, style);
            foreach (var p in outcome.ReportsWritten) output.WriteLine($"report: {p}");
            if (outcome.ExitCode != ExitCodes.Pass)
                foreach (var reason in outcome.Reasons.Take(5)) error.WriteLine($"modelgate: {outcome.Result.Verdict.ToString().ToUpperInvariant()}: {reason}");

            var env = GitHubEnvironment.FromEnvironment();
            if (GitHubPublisher.IsWanted(env, parse.GetValue(github))) Publish(outcome, env, reports, output, error);
            return outcome.ExitCode;
        });
        return command;
    }

    public static ToolInfo Tool => new("modelgate", CliApp.Version, $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}");

    private static Calibration LoadCalibration(string path)
    {
        var c = Calibration.Load(path);
        return c with { Source = $"{c.Source} (file {path})" };
    }

    /// <summary>A spinner with the current stage on an interactive terminal; plain "modelgate: stage" lines on stderr otherwise.</summary>
    private static ScanOutcome WithProgress(ConsoleStyle style, TextWriter error, ScanRequest request)
    {
        if (style == ConsoleStyle.Plain || Console.IsErrorRedirected)
            return ScanPipeline.Run(request with { Progress = stage => error.WriteLine($"modelgate: {stage}") });
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        ScanOutcome? outcome = null;
        console.Status().Start("scanning", ctx => outcome = ScanPipeline.Run(request with { Progress = stage => ctx.Status(Markup.Escape(stage)) }));
        return outcome!;
    }

    private static void Publish(ScanOutcome outcome, GitHubEnvironment env, ReportPaths reports, TextWriter output, TextWriter error)
    {
        try
        {
            var paths = new Dictionary<string, string>();
            if (reports.Json is { } j) paths["json"] = Path.GetFullPath(j);
            if (reports.Sarif is { } s) paths["sarif"] = Path.GetFullPath(s);
            if (reports.JUnit is { } u) paths["junit"] = Path.GetFullPath(u);
            if (reports.Markdown is { } m) paths["markdown"] = Path.GetFullPath(m);
            var report = GitHubPublisher.PublishAsync(outcome.Result, env, output, paths).GetAwaiter().GetResult();
            foreach (var note in report.Notes) error.WriteLine($"modelgate: github: {note}");
        }
        catch (Exception e) // publishing never changes the gate's exit code
        {
            error.WriteLine($"modelgate: github: publishing failed: {e.Message.Split('\n')[0]}");
        }
    }
}
