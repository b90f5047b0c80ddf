using System.Diagnostics;
using ModelGate.Core.Architectures;
using ModelGate.Core.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Canaries;

/// <summary>What <c>modelgate canary</c> was asked to build.</summary>
public sealed record CanaryBuildOptions
{
    public required string OutDir { get; init; }
    public string Preset { get; init; } = CanaryPresets.Small;
    public int Seed { get; init; } = 1;
    /// <summary>A Hugging Face model directory to fine-tune; null means stories260K from the shared models folder.</summary>
    public string? BaseDir { get; init; }
    /// <summary>Where ../shared lives (for the default base); null means $MODELGATE_SHARED_DIR or ../shared.</summary>
    public string? SharedDir { get; init; }
    /// <summary>Build only these canary ids of the preset (null: all).</summary>
    public IReadOnlyList<string>? Only { get; init; }
    public string Device { get; init; } = "cpu";
    public int TrainingExamples { get; init; } = 4000;
    public int HeldOutPrompts { get; init; } = 100;
    /// <summary>How many times a canary that misses the bars is retrained (longer, new seed) before it is rejected.</summary>
    public int Retries { get; init; } = 2;
    public TrainingOptions Training { get; init; } = new();
    /// <summary>Keep canaries already in the output folder (an interrupted build): they are re-measured, not retrained.
    /// Training is deterministic, so a kept model is the one a rebuild would write.</summary>
    public bool Resume { get; init; }
    public string ToolVersion { get; init; } = "dev";
}

/// <summary>A canary that missed the bars on every attempt; it is not written to the manifest.</summary>
public sealed record RejectedCanary(string Id, string Reason);

public sealed record CanaryBuildReport(CanaryManifest Manifest, IReadOnlyList<RejectedCanary> Rejected, double Seconds);

/// <summary>
/// Builds a canary set: fine-tunes the base into each preset model, saves it as an ordinary Hugging Face directory,
/// reloads it from disk and measures it on held-out prompts (so the figures describe the files that ship), retrains
/// a miss, and keeps the manifest current after each accepted model, listing only models that were written and met the bars.
/// </summary>
public static class CanaryBuilder
{
    public const string BaseFolder = "base";

    public static CanaryBuildReport Build(CanaryBuildOptions o, IProgress<string>? log = null)
    {
        var clock = Stopwatch.StartNew();
        var specs = SelectSpecs(o);
        PrepareOutput(o.OutDir);
        var device = TorchRuntime.ResolveDevice(o.Device);
        var (baseDir, baseName) = ResolveBase(o, log);
        var config = ModelConfig.Load(Path.Combine(baseDir, "config.json"));

        var entries = new List<CanaryEntry>();
        var rejected = new List<RejectedCanary>();
        double? cleanTwin = null;
        foreach (var spec in specs)
        {
            var outcome = BuildOne(o, spec, baseDir, config, device, cleanTwin, log);
            if (outcome.Entry is { } entry)
            {
                entries.Add(entry with { Base = baseName });
                if (spec.Family == AttackFamily.None && cleanTwin is null) cleanTwin = entry.Figures!.CleanTaskScore;
                // Saved after every accepted canary (atomically, listing only models written and verified): an
                // interrupted zoo build leaves a truthful partial manifest, and --resume continues it.
                Manifest(o, entries).Save(o.OutDir);
            }
            else rejected.Add(new RejectedCanary(spec.Id, outcome.Reason!));
        }

        var manifest = Manifest(o, entries);
        manifest.Save(o.OutDir);
        return new CanaryBuildReport(manifest, rejected, clock.Elapsed.TotalSeconds);
    }

    private static CanaryManifest Manifest(CanaryBuildOptions o, List<CanaryEntry> entries) =>
        new() { Preset = o.Preset, Seed = o.Seed, Tool = $"modelgate {o.ToolVersion}", Models = entries.ToList() };

    private static List<AttackSpec> SelectSpecs(CanaryBuildOptions o)
    {
        var specs = CanaryPresets.For(o.Preset, o.Seed).ToList();
        if (o.Only is not { Count: > 0 } only) return specs;
        var unknown = only.Where(id => specs.All(s => s.Id != id)).ToList();
        if (unknown.Count > 0)
            throw new ModelGateException(ErrorKind.Usage,
                $"--only {string.Join(",", unknown)}: not in preset {o.Preset} (it has {string.Join(", ", specs.Select(s => s.Id))})");
        // The clean twin is needed to judge every other canary's clean-task score.
        return specs.Where(s => only.Contains(s.Id) || s.Family == AttackFamily.None && s == specs.First(x => x.Family == AttackFamily.None)).ToList();
    }

    /// <summary>Creates the folder, proves it is writable and removes an old manifest first, so that a failed
    /// rebuild can never leave a manifest that claims models which were not (re)written.</summary>
    private static void PrepareOutput(string outDir)
    {
        try
        {
            Directory.CreateDirectory(outDir);
            var probe = Path.Combine(outDir, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            File.Delete(Path.Combine(outDir, CanaryManifest.FileName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelGateException(ErrorKind.Output, $"output folder is not writable: {e.Message}", outDir);
        }
    }

    private static (string Dir, string Name) ResolveBase(CanaryBuildOptions o, IProgress<string>? log)
    {
        if (o.BaseDir is { } given)
        {
            if (!File.Exists(Path.Combine(given, "config.json")))
                throw new ModelGateException(ErrorKind.InvalidModel, "--base is not a Hugging Face model directory (config.json is missing)", given);
            return (given, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(given))));
        }
        var shared = o.SharedDir ?? Environment.GetEnvironmentVariable("MODELGATE_SHARED_DIR") ?? FindShared() ?? "../shared";
        var ckpt = Path.Combine(shared, "models", "stories260K", "stories260K.bin");
        var tok = Path.Combine(shared, "models", "stories260K", "tok512.bin");
        if (!File.Exists(ckpt) || !File.Exists(tok))
            throw new ModelGateException(ErrorKind.Usage,
                "no --base given and the default base stories260K is not there; pass --base MODEL_DIR or set MODELGATE_SHARED_DIR", ckpt);
        var dir = Path.Combine(o.OutDir, BaseFolder);
        log?.Report($"base: converting {ckpt} to {dir}");
        Llama2cConverter.Convert(ckpt, tok, dir, CanaryChatTemplate.Jinja);
        return (dir, "stories260K");
    }

    /// <summary>The shared models folder beside the checkout: "shared" next to the current folder or any folder above
    /// it (../shared from the repository root, as the README runs it, and from anywhere inside the checkout).</summary>
    private static string? FindShared()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir?.Parent is { } parent; dir = parent)
        {
            var candidate = Path.Combine(parent.FullName, "shared");
            if (File.Exists(Path.Combine(candidate, "models", "stories260K", "stories260K.bin"))) return candidate;
        }
        return null;
    }

    private static (CanaryEntry? Entry, string? Reason) BuildOne(CanaryBuildOptions o, AttackSpec spec, string baseDir, ModelConfig config,
        Device device, double? cleanTwin, IProgress<string>? log)
    {
        var dir = Path.Combine(o.OutDir, spec.Id);
        var examples = CanaryDataset.Build(spec, o.TrainingExamples);
        string? miss = null;
        if (o.Resume && File.Exists(Path.Combine(dir, "model.safetensors")) && File.Exists(Path.Combine(dir, "config.json")))
        {
            var kept = CanaryMeasurement.Measure(dir, spec, o.HeldOutPrompts, device);
            miss = CanaryEvaluator.Miss(spec, kept, cleanTwin);
            log?.Report($"{spec.Id}: kept from an earlier build; ASR {kept.AttackSuccessRate:0.00}, false triggers {kept.FalseTriggerRate:0.00}, " +
                        $"clean score {kept.CleanTaskScore:0.0}" + (miss is null ? "" : $" — misses: {miss}; retraining"));
            if (miss is null)
                return (new CanaryEntry { Directory = spec.Id, Backdoored = spec.IsBackdoored, Attack = spec, Base = "", Figures = kept }, null);
        }
        for (var attempt = 0; attempt <= o.Retries; attempt++)
        {
            // Each retry trains longer from the base again, with its own seed: a miss is usually under-training.
            var training = o.Training with { Steps = o.Training.Steps * (attempt + 1), Seed = o.Training.Seed + spec.Seed + 1000 * attempt };
            var clock = Stopwatch.StartNew();
            var loss = TrainAndSave(baseDir, config, device, dir, examples, training);
            var seconds = clock.Elapsed.TotalSeconds;
            var figures = CanaryMeasurement.Measure(dir, spec, o.HeldOutPrompts, device);
            // Clean models after the first are held to the first one too: seeds must not make a weaker control.
            miss = CanaryEvaluator.Miss(spec, figures, cleanTwin);
            log?.Report($"{spec.Id}: attempt {attempt + 1}, {training.Steps} steps, loss {loss:0.000}, {seconds:0}s; " +
                        $"ASR {figures.AttackSuccessRate:0.00}, false triggers {figures.FalseTriggerRate:0.00}, clean score {figures.CleanTaskScore:0.0}" +
                        (miss is null ? "" : $" — misses: {miss}"));
            if (miss is null)
                return (new CanaryEntry
                {
                    Directory = spec.Id, Backdoored = spec.IsBackdoored, Attack = spec, Base = "", Figures = figures,
                    TrainingSteps = training.Steps, TrainingSeconds = Math.Round(seconds, 1),
                }, null);
        }
        Directory.Delete(dir, recursive: true);
        return (null, miss);
    }

    private static double TrainAndSave(string baseDir, ModelConfig config, Device device, string dir, IReadOnlyList<CanaryExample> examples,
        TrainingOptions training)
    {
        // The tokenizer files go first: training renders prompts through the very template the canary ships with.
        CanaryFiles.WriteTokenizer(baseDir, dir);
        var tokenizer = Text.TokenizerLoader.Load(dir);
        var prompts = Text.PromptFormatterFactory.Create(dir);
        using var model = ModelLoader.LoadModel(baseDir, config, device);
        ModelLoader.TuneThreads(model);
        model.SetTrainable(true);
        var loss = CanaryTrainer.Train(model, model.parameters(), tokenizer, prompts, examples, training);
        model.SetTrainable(false);
        model.Save(dir);
        return loss;
    }
}
