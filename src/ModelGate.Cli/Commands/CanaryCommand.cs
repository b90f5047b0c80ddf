using System.CommandLine;
using ModelGate.Core;
using ModelGate.Core.Canaries;

namespace ModelGate.Cli.Commands;

/// <summary>`modelgate canary --out DIR [--preset small|zoo] [--base MODEL] [--seed N]`: builds clean and backdoored
/// canary models with a ground-truth manifest (the gate's positive controls).</summary>
internal static class CanaryCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var outDir = new Option<string>("--out") { Description = "Folder to write the canary models and manifest.json into.", Required = true };
        var preset = new Option<string>("--preset")
        {
            Description = "small (4 models, minutes on 2 cores) or zoo (38 models across every attack family and hard negatives).",
            DefaultValueFactory = _ => CanaryPresets.Small,
        };
        var baseModel = new Option<string?>("--base") { Description = "Hugging Face model directory to fine-tune (default: stories260K from ../shared, converted)." };
        var only = new Option<string?>("--only") { Description = "Comma-separated canary ids of the preset to build (the clean twin is always built)." };
        var steps = new Option<int?>("--steps") { Description = "Training steps per canary (default 600; retries train longer)." };
        var resume = new Option<bool>("--resume") { Description = "Keep canaries an interrupted build already wrote (re-measured, not retrained)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the preset's novel triggers, data and training.", DefaultValueFactory = _ => 1 };
        var device = CommonOptions.Device();
        var command = new Command("canary", "Build canary models (clean and backdoored, Hugging Face layout) with a ground-truth manifest.")
        {
            outDir, preset, baseModel, only, steps, seed, device, resume,
        };
        command.SetAction(parse =>
        {
            var presetName = parse.GetValue(preset)!;
            if (!CanaryPresets.Names.Contains(presetName))
                throw new ModelGateException(ErrorKind.Usage, $"--preset {presetName}: unknown preset (expected {string.Join(" or ", CanaryPresets.Names)})");
            var options = new CanaryBuildOptions
            {
                OutDir = parse.GetValue(outDir)!, Preset = presetName, Seed = parse.GetValue(seed), BaseDir = parse.GetValue(baseModel),
                Only = parse.GetValue(only)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Device = parse.GetValue(device)!, ToolVersion = CliApp.Version, Resume = parse.GetValue(resume),
                Training = parse.GetValue(steps) is int n ? new TrainingOptions(Steps: n) : new TrainingOptions(),
            };
            if (options.Training.Steps < 1) throw new ModelGateException(ErrorKind.Usage, "--steps must be at least 1");
            var report = CanaryBuilder.Build(options, new Progress(output));
            output.WriteLine($"{"model",-24} {"backdoored",-10} {"family",-14} {"ASR",5} {"FTR",5} {"clean",6} {"train s",8}");
            foreach (var m in report.Manifest.Models)
                output.WriteLine($"{m.Directory,-24} {(m.Backdoored ? "yes" : "no"),-10} {m.Attack.Family,-14} {m.Figures!.AttackSuccessRate,5:0.00} " +
                                 $"{m.Figures.FalseTriggerRate,5:0.00} {m.Figures.CleanTaskScore,6:0.0} {m.TrainingSeconds,8:0.0}");
            output.WriteLine($"wrote {report.Manifest.Models.Count} canaries and {Path.Combine(options.OutDir, CanaryManifest.FileName)} in {report.Seconds:0} s");
            foreach (var r in report.Rejected) error.WriteLine($"modelgate: error: canary {r.Id} rejected after retries: {r.Reason}");
            return report.Rejected.Count == 0 ? ExitCodes.Pass : ExitCodes.Error;
        });
        return command;
    }

    /// <summary>Progress lines written as they happen (IProgress&lt;T&gt;'s default class posts to a thread pool).</summary>
    private sealed class Progress(TextWriter output) : IProgress<string>
    {
        public void Report(string value) => output.WriteLine(value);
    }
}
