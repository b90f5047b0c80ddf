using System.CommandLine;
using ModelGate.Core;
using ModelGate.Core.Detection;

namespace ModelGate.Cli.Commands;

/// <summary>
/// `modelgate calibrate CLEAN_MODEL... --out calibration.json`: scans clean reference models with the default
/// detectors and fits each detector's clean high point and scale (Calibration.Fit). `scan --calibration FILE` uses it,
/// and every report names the calibration in settings.calibration.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var models = new Argument<string[]>("clean-models") { Description = "Clean model directories (known not backdoored), ideally from the same family as the models you gate.", Arity = ArgumentArity.OneOrMore };
        var outPath = new Option<string>("--out") { Description = "Where to write the calibration JSON.", Required = true };
        var seed = CommonOptions.Seed();
        var device = CommonOptions.Device();
        var command = new Command("calibrate", "Fit the detectors' thresholds on clean reference models and write calibration.json.") { models, outPath, seed, device };
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(models)!;
            var target = parse.GetValue(outPath)!;
            var calibration = ScanPipeline.Calibrate(paths, ScanCommand.Tool, parse.GetValue(seed), parse.GetValue(device),
                progress: stage => error.WriteLine($"modelgate: {stage}"));
            try { calibration.Save(target); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ModelGateException(ErrorKind.Output, $"cannot write calibration: {e.Message.Split('\n')[0]}", target, e);
            }
            output.WriteLine($"calibration: {calibration.Source}");
            foreach (var (id, c) in calibration.Detectors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                output.WriteLine($"  {id}: clean high {c.CleanHigh:0.####}, scale {c.Scale:0.####}, {c.CleanModels} model(s)");
            output.WriteLine($"wrote {Path.GetFullPath(target)}");
            return ExitCodes.Pass;
        });
        return command;
    }
}
