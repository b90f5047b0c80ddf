using ModelGate.Core.Inference;
using ModelGate.Core.Loading;
using ModelGate.Core.Policy;
using ModelGate.Core.Reporting;

namespace ModelGate.Core.Detection;

/// <summary>What one scan needs. Null device/seed/budget fall back to the policy, then to the defaults.</summary>
public sealed record ScanRequest
{
    public required string ModelPath { get; init; }
    public required ToolInfo Tool { get; init; }
    public LoadedPolicy Policy { get; init; } = new(GatePolicy.Default, null, []);
    public string? ReferencePath { get; init; }
    public string? Device { get; init; }
    public int? Seed { get; init; }
    public int? BudgetSeconds { get; init; }
    public ReportPaths Reports { get; init; } = new();
    /// <summary>Null uses <see cref="Calibration.BuiltIn"/>.</summary>
    public Calibration? Calibration { get; init; }
    public int MaxNewTokens { get; init; } = 24;
    public DateOnly? Today { get; init; }
    /// <summary>Loads the model; null uses <see cref="ModelLoader.Load"/> on the resolved device. Tests inject fixtures here.</summary>
    public Func<string, string, LoadedModel>? Loader { get; init; }
    /// <summary>The behavioural detectors in run order; null uses <see cref="ScanPipeline.DefaultDetectors"/>.</summary>
    public Func<IReadOnlyList<IDetector>>? Detectors { get; init; }
    /// <summary>Called with a short line before each stage (progress display on a terminal).</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>The scan's result (verdict already decided by the policy), its exit code, and the reports written.</summary>
public sealed record ScanOutcome(ScanResult Result, int ExitCode, IReadOnlyList<string> Reasons, IReadOnlyList<string> ReportsWritten, IReadOnlyList<string> Warnings);

/// <summary>
/// The gate, end to end, with no console or GitHub: format safety on the files alone → load the model once →
/// behavioural detectors chosen by the policy → suppressions → <see cref="GateDecision"/> → reports. Fail closed:
/// every failure still produces a result (verdict error) and the requested reports are written before the caller
/// returns its exit code. Unsafe serialized content is FAIL even when the engine cannot load the model.
/// </summary>
public static class ScanPipeline
{
    public const int DefaultSeed = 1234;

    /// <summary>The behavioural detectors, in order: the self-report probe (independent), BAIT finds targets, GCG inverts
    /// their triggers, articulation asks the model for its trigger, and the sweep checks published and rare-token
    /// triggers plus every candidate found before it.</summary>
    public static IReadOnlyList<IDetector> DefaultDetectors() =>
        [new SelfReportDetector(), new TargetInversionDetector(), new TriggerInversionDetector(), new ArticulationDetector(), new TriggerSweepDetector()];

    public static ScanOutcome Run(ScanRequest request)
    {
        var started = DateTimeOffset.UtcNow;
        var policy = request.Policy.Policy;
        var seed = request.Seed ?? policy.Seed ?? DefaultSeed;
        var deviceSpec = request.Device ?? policy.Device ?? "auto";
        var calibration = request.Calibration ?? Calibration.BuiltIn;
        var settings = new ScanSettings
        {
            Seed = seed, Device = deviceSpec, PolicyPath = request.Policy.Path, Calibration = calibration.Source,
            BudgetSeconds = request.BudgetSeconds ?? policy.Budget.Seconds, BudgetForwardPasses = policy.Budget.ForwardPasses,
            PromptSet = policy.BenignPrompts is null ? "built-in" : request.Policy.Resolve(policy.BenignPrompts)!,
        };
        var modelRef = new ModelRef { Path = request.ModelPath };
        var warnings = new List<string>(request.Policy.Warnings);

        ScanResult result;
        FormatSafetyOutcome? safety = null;
        try
        {
            safety = FormatSafety(request, modelRef);
            modelRef = modelRef with { Files = safety.Files };
            result = Behavioural(request, seed, deviceSpec, calibration, settings, modelRef, safety, started);
        }
        catch (ModelGateException e)
        {
            result = Failed(request, calibration, settings, modelRef, safety, started, e.Kind, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Fail closed on anything unexpected: the result says ERROR and names what broke.
            result = Failed(request, calibration, settings, modelRef, safety, started, ErrorKind.Engine, $"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }

        var suppressed = Suppressions.Apply(result, policy.Suppressions, request.Today ?? DateOnly.FromDateTime(DateTime.UtcNow), request.Policy.Path ?? GatePolicyLoader.FileName);
        warnings.AddRange(suppressed.Unused.Select(s => $"suppression ({s.Describe()}) matched no finding"));
        result = suppressed.Result;
        var decision = Decide(result, policy);
        result = result with { Verdict = decision.Verdict, DurationSeconds = (DateTimeOffset.UtcNow - started).TotalSeconds };
        request.Progress?.Invoke("writing reports");
        var written = ReportWriter.Write(result, request.Reports, policy.FailOn);
        return new ScanOutcome(result, decision.ExitCode, decision.Reasons, written, warnings);
    }

    /// <summary>
    /// A scan that could not start (unreadable policy or calibration file): the requested reports still say ERROR and
    /// name the problem, so CI and the MSBuild task read a verdict instead of guessing from a missing file.
    /// </summary>
    public static ScanOutcome SetupFailed(ScanRequest request, ModelGateException error)
    {
        var settings = new ScanSettings { Seed = request.Seed ?? DefaultSeed, Device = request.Device ?? "auto", Calibration = (request.Calibration ?? Calibration.BuiltIn).Source };
        var result = Failed(request, request.Calibration ?? Calibration.BuiltIn, settings, new ModelRef { Path = request.ModelPath }, null,
            DateTimeOffset.UtcNow, error.Kind, error.Message) with { NotChecked = ["everything: the scan could not start"] };
        result = result with { Detectors = [.. result.Detectors.Select(d => d with { Status = DetectorStatus.Skipped, Summary = "not run: the scan could not start" })] };
        var written = ReportWriter.Write(result, request.Reports);
        return new ScanOutcome(result, ExitCodes.For(error.Kind), [error.Message], written, []);
    }

    /// <summary>
    /// GateDecision, plus one rule of the pipeline's own: an open finding at the fail level from a detector that
    /// completed (a dangerous pickle, a verified trigger) is a definite FAIL even if another part of the scan errored.
    /// The model is known bad; the errors stay listed in the reasons.
    /// </summary>
    public static GateDecision Decide(ScanResult result, GatePolicy policy)
    {
        var decision = GateDecision.Decide(result, policy);
        if (decision.Verdict != Verdict.Error) return decision;
        var definite = result.Findings
            .Where(f => f.Suppressed is null && f.Level >= policy.FailOn && !f.RuleId.StartsWith("MG2", StringComparison.Ordinal))
            .Select(f => $"{f.RuleId} ({f.Level.ToString().ToLowerInvariant()}): {f.Title}").ToList();
        return definite.Count == 0 ? decision : new GateDecision(Verdict.Fail, ExitCodes.GateFailed, [.. definite, .. decision.Reasons]);
    }

    private static FormatSafetyOutcome FormatSafety(ScanRequest request, ModelRef modelRef)
    {
        var dir = request.ModelPath;
        if (File.Exists(dir))
            throw new ModelGateException(ErrorKind.NothingScannable, "is a file; give the model's directory (config.json, weights, tokenizer)", dir);
        if (!Directory.Exists(dir))
            throw new ModelGateException(ErrorKind.NothingScannable, "model directory does not exist", dir);
        request.Progress?.Invoke("format safety: inventory and pickle analysis");
        if (Environment.GetEnvironmentVariable(ScanRunner.FailDetectorVariable) == FormatSafetyDetector.Id)
            throw new ModelGateException(ErrorKind.Detector, $"{FormatSafetyDetector.Id}: forced failure ({ScanRunner.FailDetectorVariable}={FormatSafetyDetector.Id})");
        return FormatSafetyDetector.Inspect(dir, modelRef.Path);
    }

    private static ScanResult Behavioural(ScanRequest request, int seed, string deviceSpec, Calibration calibration, ScanSettings settings,
        ModelRef modelRef, FormatSafetyOutcome safety, DateTimeOffset started)
    {
        var dir = request.ModelPath;
        var configPath = Path.Combine(dir, "config.json");
        if (!File.Exists(configPath))
        {
            // No config.json: nothing the engine can load. Weights without one are a broken model (error), a folder with
            // no weights at all is nothing to scan; either way format safety has already judged the files.
            var hasWeights = safety.Files.Any(f => f.Kind is Safety.FileKind.Safetensors or Safety.FileKind.Pickle or Safety.FileKind.Zip or Safety.FileKind.Gguf);
            throw new ModelGateException(hasWeights ? ErrorKind.InvalidModel : ErrorKind.NothingScannable,
                hasWeights ? "config.json is missing, so the weights cannot be loaded" : "config.json is missing and there are no weights: nothing scannable", configPath);
        }

        var policy = request.Policy.Policy;
        request.Progress?.Invoke("loading the model");
        var loader = request.Loader ?? ((d, spec) => ModelLoader.Load(d, TorchRuntime.ResolveDevice(spec)));
        using var model = loader(dir, deviceSpec);
        // The reference is loaded once too: GCG, the sweep and articulation check every trigger on it, self-report compares.
        using var referenceModel = request.ReferencePath is { } referenceDir ? loader(referenceDir, deviceSpec) : null;
        var info = model.Model.Info;
        modelRef = modelRef with { ModelType = info.ModelType, Architecture = info.Architecture, Parameters = info.ParameterCount, DType = info.StoredDType };

        var all = (request.Detectors ?? DefaultDetectors)().ToList();
        if (request.ReferencePath is { } reference) all.Add(new WeightDeltaDetector(reference));
        var disabled = new List<DetectorReport>();
        var run = new List<IDetector>();
        foreach (var d in all)
        {
            if (!policy.For(d.Id).Enabled) disabled.Add(Disabled(d.Id, d.Name, "disabled by the policy"));
            else run.Add(new WithProgress(d, request.Progress));
        }
        if (request.ReferencePath is null)
            disabled.Add(Disabled(WeightDeltaDetector.DetectorId, "Weight delta against the reference", "not applicable: no --reference base model given"));

        var prompts = policy.BenignPrompts is null ? null : ReadPrompts(request.Policy.Resolve(policy.BenignPrompts)!);
        var budget = new ScanBudget(policy.Budget.ForwardPasses, request.BudgetSeconds ?? policy.Budget.Seconds);
        var ctx = new ScanContext(model, seed, budget, referenceModel, prompts, request.MaxNewTokens);
        // Run lenient, then restore strictness per detector: the policy's allowSkip is per detector, the runner's is global.
        var options = new ScanRunOptions(request.Tool, modelRef, settings, AllowSkippingFailedDetectors: true);
        var r = run.Count > 0 ? ScanRunner.Run(ctx, run, calibration, options)
            : new ScanResult
            {
                Tool = request.Tool, Model = modelRef, Settings = settings, Verdict = Verdict.Pass, Score = 0, Thresholds = calibration.Thresholds,
                Detectors = [], Findings = [], StartedAt = started, DurationSeconds = 0,
            };
        bool Strict(string? id) => id is not null && !policy.For(id).AllowSkip;
        var errors = r.Errors.Where(e => Strict(e.DetectorId)).ToList();
        var findings = r.Findings.Select(f => f.RuleId == Rules.DetectorFailed.Id && Strict(f.DetectorId) ? f with { Level = FindingLevel.Error } : f);
        var detectors = new List<DetectorReport> { safety.Report };
        detectors.AddRange(r.Detectors);
        detectors.AddRange(disabled);
        var probabilities = detectors.Where(d => d.Status == DetectorStatus.Completed && d.Probability is not null).Select(d => d.Probability!.Value).ToList();
        var score = Calibration.NoisyOr(probabilities);
        var verdict = errors.Count > 0 ? Verdict.Error : calibration.VerdictFor(score);
        return r with
        {
            Model = modelRef, Reference = ReferenceRef(request.ReferencePath), Settings = settings, Verdict = verdict, Score = score,
            Detectors = detectors, Findings = [.. safety.Findings, .. findings], Errors = errors, StartedAt = started,
            DeclaredAt = new SourceLocation(configPath, 1),
        };
    }

    private static ScanResult Failed(ScanRequest request, Calibration calibration, ScanSettings settings, ModelRef modelRef,
        FormatSafetyOutcome? safety, DateTimeOffset started, ErrorKind kind, string message)
    {
        var rule = kind switch
        {
            ErrorKind.NothingScannable => Rules.NothingScannable,
            ErrorKind.Unsupported => Rules.UnsupportedModel,
            ErrorKind.Detector => Rules.DetectorFailed,
            _ => Rules.InvalidModel,
        };
        var detectors = new List<DetectorReport>();
        if (safety is not null) detectors.Add(safety.Report);
        else detectors.Add(new DetectorReport { Id = FormatSafetyDetector.Id, Name = FormatSafetyDetector.Name, Status = DetectorStatus.Failed, Cost = new DetectorCost(0, 0, 0), Summary = message });
        foreach (var d in (request.Detectors ?? DefaultDetectors)())
            detectors.Add(new DetectorReport { Id = d.Id, Name = d.Name, Status = DetectorStatus.Skipped, Cost = new DetectorCost(0, 0, 0), Summary = "not run: the model could not be loaded" });
        var configPath = Path.Combine(request.ModelPath, "config.json");
        var score = safety?.Report.Probability ?? 0;
        return new ScanResult
        {
            Tool = request.Tool, Model = modelRef, Reference = ReferenceRef(request.ReferencePath), Settings = settings,
            Verdict = Verdict.Error, Score = score, Thresholds = calibration.Thresholds, Detectors = detectors,
            Findings = safety?.Findings ?? [], Errors = [new ScanError(kind == ErrorKind.Detector ? FormatSafetyDetector.Id : null, message) { RuleId = rule.Id }],
            NotChecked = ["behavioural detectors: the model could not be loaded"],
            StartedAt = started, DurationSeconds = (DateTimeOffset.UtcNow - started).TotalSeconds,
            DeclaredAt = File.Exists(configPath) ? new SourceLocation(configPath, 1) : null,
        };
    }

    private static ModelRef? ReferenceRef(string? path) => path is null ? null : new ModelRef { Path = path };

    private static DetectorReport Disabled(string id, string name, string why) =>
        new() { Id = id, Name = name, Status = DetectorStatus.Disabled, Cost = new DetectorCost(0, 0, 0), Summary = why };

    private static IReadOnlyList<string> ReadPrompts(string path)
    {
        try
        {
            return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelGateException(ErrorKind.Policy, $"cannot read benign prompts: {e.Message}", path, e);
        }
    }

    /// <summary>Reports each detector's start to the progress callback, and is otherwise the detector itself.</summary>
    private sealed class WithProgress(IDetector inner, Action<string>? progress) : IDetector
    {
        public string Id => inner.Id;
        public string Name => inner.Name;
        public DetectorOutcome Run(ScanContext context)
        {
            progress?.Invoke($"{inner.Name} ({inner.Id})");
            return inner.Run(context);
        }
    }

    /// <summary>
    /// `modelgate calibrate`: scans each clean model with the default detectors (built-in calibration, no reports) and
    /// fits every detector on their raw scores (Calibration.FitDetector). A model whose scan errored is refused: a calibration from a partial
    /// scan would move the thresholds on evidence that was never gathered.
    /// </summary>
    public static Calibration Calibrate(IReadOnlyList<string> cleanModels, ToolInfo tool, int seed, string? device,
        Func<string, string, LoadedModel>? loader = null, Func<IReadOnlyList<IDetector>>? detectors = null, Action<string>? progress = null)
    {
        if (cleanModels.Count == 0) throw new ModelGateException(ErrorKind.Usage, "calibrate needs at least one clean model");
        var raw = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var path in cleanModels)
        {
            progress?.Invoke($"scanning {path}");
            var outcome = Run(new ScanRequest { ModelPath = path, Tool = tool, Seed = seed, Device = device, Loader = loader, Detectors = detectors, Progress = progress });
            var r = outcome.Result;
            if (r.Errors.Count > 0 || r.Verdict == Verdict.Error)
                throw new ModelGateException(ErrorKind.InvalidModel, $"scan of a clean model did not complete ({r.Errors.FirstOrDefault()?.Message ?? "verdict error"}); refusing to calibrate on it", path);
            if (r.Findings.Any(f => f.Level == FindingLevel.Error && f.Suppressed is null))
                throw new ModelGateException(ErrorKind.InvalidModel, $"the \"clean\" model has a finding ({r.Findings.First(f => f.Level == FindingLevel.Error).Title}); refusing to calibrate on it", path);
            foreach (var d in r.Detectors.Where(d => d.Status == DetectorStatus.Completed && d.RawScore is not null && d.Id != FormatSafetyDetector.Id))
                (raw.TryGetValue(d.Id, out var list) ? list : raw[d.Id] = []).Add(d.RawScore!.Value);
        }
        return Calibration.BuiltIn with
        {
            Source = $"fitted by modelgate calibrate on {cleanModels.Count} clean model(s) ({string.Join(", ", cleanModels.Select(Path.GetFileName))}), seed {seed}",
            Detectors = raw.ToDictionary(kv => kv.Key, kv => Calibration.FitDetector(kv.Key, kv.Value), StringComparer.Ordinal),
        };
    }
}
