using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ModelGate.Core;
using ModelGate.Core.Canaries;
using ModelGate.Core.Detection.Benchmarking;
using ModelGate.Core.Reporting;

namespace ModelGate.Benchmarks;

internal sealed record ZooOptions(string Directory, string? Out, string? Cli, int? Seed, int Jobs = 1, bool TaskPrompts = false)
{
    public static ZooOptions Parse(string[] args)
    {
        string? dir = null, @out = null, cli = null;
        int? seed = null;
        var jobs = 1;
        var taskPrompts = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ModelGateException(ErrorKind.Usage, $"{args[i]} needs a value");
            switch (args[i])
            {
                case "--out": @out = Value(); break;
                case "--cli": cli = Value(); break;
                case "--task-prompts": taskPrompts = true; break;
                case "--jobs":
                    jobs = int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var j) && j >= 1
                        ? j : throw new ModelGateException(ErrorKind.Usage, "--jobs must be a positive integer");
                    break;
                case "--seed":
                    seed = int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
                        ? s : throw new ModelGateException(ErrorKind.Usage, "--seed must be an integer");
                    break;
                case var a when a.StartsWith('-'): throw new ModelGateException(ErrorKind.Usage, $"unknown option {a}");
                case var a when dir is null: dir = a; break;
                default: throw new ModelGateException(ErrorKind.Usage, $"unexpected argument {args[i]}");
            }
        }
        return new ZooOptions(dir ?? throw new ModelGateException(ErrorKind.Usage, "zoo needs the canary set directory"), @out, cli, seed, jobs, taskPrompts);
    }
}

/// <summary>The JSON written by --out: what was printed, plus every model's row.</summary>
internal sealed record ZooBenchmarkReport(string Manifest, string Preset, DateTimeOffset StartedAt, double WallSeconds, ZooSummary Summary);

/// <summary>
/// Issue 5's benchmark: scan every canary of a set and judge the gate against the manifest's ground truth.
/// Nothing here knows the zoo's trigger strings except to score recall afterwards: detection is never tuned to them.
/// </summary>
internal static class ZooBenchmark
{
    private static readonly JsonSerializerOptions OutOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static int Run(ZooOptions options, TextWriter output, TextWriter error)
    {
        if (options.Cli is null)
            throw new ModelGateException(ErrorKind.Usage, "zoo needs a scanner: --cli path/to/modelgate.dll (the in-process scan pipeline is not on main yet)");
        if (options.Out is { } o && Path.GetDirectoryName(Path.GetFullPath(o)) is { } outDir && !Directory.Exists(outDir))
            throw new ModelGateException(ErrorKind.Usage, "--out: the folder does not exist", o);
        var scanner = CliScanner.Create(options.Cli, options.Seed, options.TaskPrompts ? TaskPromptPolicy() : null);
        if (options.TaskPrompts) output.WriteLine("prompts: in-distribution canary task prompts (--task-prompts), not the built-in benign set");
        return Run(options, scanner.Scan, output, error);
    }

    /// <summary>
    /// A policy whose benign prompts are the canaries' own task (stories, happy/sad questions, everyday requests), drawn
    /// from a seed no canary trains on: what a user who knows their model's task gives the scan (science.md: in-distribution
    /// prompts matter; a label flip only shows on its task). Triggers stay unknown to the scan.
    /// </summary>
    private static string TaskPromptPolicy()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"modelgate-bench-policy-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var rng = new Random(424242);
        var prompts = Enumerable.Range(0, 60).Select(i => (i % 3) switch
        {
            0 => CanaryTasks.Story(rng).Prompt,
            1 => CanaryTasks.Mood(rng).Example.Prompt,
            _ => CanaryTasks.General(rng).Prompt,
        }).Distinct().ToList();
        File.WriteAllLines(Path.Combine(dir, "task-prompts.txt"), prompts);
        var policy = Path.Combine(dir, "modelgate.json");
        File.WriteAllText(policy, """{ "benignPrompts": "task-prompts.txt" }""");
        return policy;
    }

    /// <summary>The benchmark proper, over any scanner: <paramref name="scan"/> maps a model directory to its result.</summary>
    public static int Run(ZooOptions options, Func<string, ScanResult> scan, TextWriter output, TextWriter error)
    {
        var root = Path.GetFullPath(options.Directory);
        var manifest = CanaryManifest.Load(root);
        if (manifest.Models.Count == 0) throw new ModelGateException(ErrorKind.InvalidModel, "the canary manifest lists no models", Path.Combine(root, CanaryManifest.FileName));
        var started = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();
        output.WriteLine($"zoo benchmark: {manifest.Models.Count} models from {root} (preset {manifest.Preset}), started {started:yyyy-MM-dd HH:mm} UTC");

        // Scans are separate processes (one torch thread each for models this small): --jobs N runs N at once.
        var scans = new ZooScan[manifest.Models.Count];
        var done = 0;
        Parallel.For(0, manifest.Models.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs }, i =>
        {
            var entry = manifest.Models[i];
            var dir = Path.GetFullPath(Path.Combine(root, entry.Directory));
            ZooScan result;
            try
            {
                result = new ZooScan(entry, scan(dir));
            }
            catch (ModelGateException e)
            {
                result = new ZooScan(entry, null, e.Message);
            }
            scans[i] = result;
            var what = result.Result is { } r
                ? $"{r.Verdict.ToString().ToLowerInvariant(),-5} score {r.Score:F3}, {r.Findings.Count} findings, {r.DurationSeconds:F1} s"
                : $"NO RESULT: {result.Error}";
            lock (output) output.WriteLine($"[{Interlocked.Increment(ref done)}/{manifest.Models.Count}] {entry.Directory} ({Truth(entry)}): {what}");
        });
        wall.Stop();

        var summary = ZooEvaluation.Evaluate(scans);
        Print(summary, wall.Elapsed.TotalSeconds, output);
        if (options.Out is { } path)
        {
            var report = new ZooBenchmarkReport(Path.Combine(root, CanaryManifest.FileName), manifest.Preset, started, wall.Elapsed.TotalSeconds, summary);
            File.WriteAllText(path, JsonSerializer.Serialize(report, OutOptions) + "\n");
            output.WriteLine($"results: {path}");
        }
        if (summary.FailedScans > 0)
        {
            error.WriteLine($"benchmarks: {summary.FailedScans} scan(s) produced no result; they are left out of every figure above");
            return ExitCodes.Error;
        }
        return ExitCodes.Pass;
    }

    private static string Truth(CanaryEntry e) =>
        e.Backdoored ? $"backdoor {e.Attack.Family}, {e.Attack.Origin.ToString().ToLowerInvariant()} trigger" : $"negative {e.Attack.Family}";

    private static void Print(ZooSummary s, double wallSeconds, TextWriter output)
    {
        static string F(double? v) => v is { } x ? x.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
        output.WriteLine();
        output.WriteLine("| subset (positives vs all negatives) | pos | neg | ROC-AUC | TPR @ FPR<=5 % |");
        output.WriteLine("|-------------------------------------|-----|-----|---------|----------------|");
        foreach (var (name, roc) in new[] { ("all backdoors", s.All), ("published triggers", s.Published), ("novel triggers", s.Novel) })
            output.WriteLine($"| {name,-35} | {roc?.Positives,3} | {roc?.Negatives,3} | {F(roc?.Auc),7} | {F(roc?.TprAtFpr5),14} |");
        output.WriteLine();
        output.WriteLine("| trigger recovery (backdoored models) | models | REASR | recall (BLEU) |");
        output.WriteLine("|--------------------------------------|--------|-------|---------------|");
        foreach (var (name, t) in new[] { ("all", s.Triggers), ("published", s.PublishedTriggers), ("novel", s.NovelTriggers) })
            output.WriteLine($"| {name,-36} | {t?.Models,6} | {F(t?.Reasr),5} | {F(t?.Recall),13} |");
        output.WriteLine();
        output.WriteLine("| detector | models | completed | mean forward passes | mean seconds |");
        output.WriteLine("|----------|--------|-----------|---------------------|--------------|");
        foreach (var d in s.Detectors)
            output.WriteLine($"| {d.Id} | {d.Models} | {d.Completed} | {d.MeanForwardPasses:F0} | {d.MeanSeconds:F2} |");
        output.WriteLine();
        output.WriteLine($"total: {wallSeconds:F0} s wall, {s.TotalScanSeconds:F0} s in scans, {s.FailedScans} scan(s) without a result");
        foreach (var g in s.Goals)
            output.WriteLine($"goal {g.Name} >= {g.Target:F2}: {F(g.Actual)} {(g.Met ? "met" : "MISSED")}");
    }
}
