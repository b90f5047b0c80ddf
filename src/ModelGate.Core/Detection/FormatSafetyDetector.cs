using System.Diagnostics;
using ModelGate.Core.Reporting;
using ModelGate.Core.Safety;

namespace ModelGate.Core.Detection;

/// <summary>What the format-safety check produced: its report, its findings and the inventory it built.</summary>
public sealed record FormatSafetyOutcome(DetectorReport Report, IReadOnlyList<Finding> Findings, IReadOnlyList<FileDigest> Files)
{
    /// <summary>True when a file would run code if loaded (a dangerous pickle import).</summary>
    public bool Unsafe => Report.RawScore >= 1;
}

/// <summary>
/// Format safety, on the files alone: it needs no engine, so it runs first and still judges a folder the engine cannot
/// load (a directory holding only a malicious pickle must FAIL, not merely ERROR). Every file is inventoried with size
/// and sha256; pickle streams (found by magic bytes, also inside zip archives) are walked statically against the
/// allowlist and never unpickled; executables are listed. Raw score: 1 when a dangerous import is present, else 0;
/// its probability is that raw score itself, because this is a rule, not a statistic to calibrate.
/// </summary>
public static class FormatSafetyDetector
{
    public const string Id = "format-safety";
    public const string Name = "Format safety (files, pickles, executables)";

    public static FormatSafetyOutcome Inspect(string modelDir, string modelPathForReports)
    {
        var clock = Stopwatch.StartNew();
        var files = FileInventory.Build(modelDir);
        var root = Path.GetFullPath(modelDir);
        var findings = new List<Finding>();
        var pickles = new List<string>();
        var executables = new List<string>();
        var dangerous = new List<string>();
        var model = new ModelRef { Path = modelPathForReports, Files = files };

        foreach (var f in files)
        {
            if (f.Kind == FileKind.Executable)
            {
                executables.Add(f.Path);
                findings.Add(Make(model, FindingLevel.Warning, $"Executable content: {f.Path}",
                    $"{f.Path} is an executable or script ({f.Size} bytes, sha256 {f.Sha256}); a model directory should hold weights, configuration and tokenizer files only.", f.Path));
                continue;
            }
            if (f.Kind is not (FileKind.Pickle or FileKind.Zip)) continue;
            var report = PickleScanner.ScanFile(Path.Combine(root, f.Path));
            if (f.Kind == FileKind.Zip && report.Streams.Count == 0) continue; // a zip with no pickle members
            pickles.Add(f.Path);
            var bad = report.Imports.Where(i => i.Risk == ImportRisk.Dangerous).Select(i => i.QualifiedName).Distinct().ToList();
            var unknown = report.Imports.Where(i => i.Risk == ImportRisk.Unknown).Select(i => i.QualifiedName).Distinct().ToList();
            var errors = report.Streams.Where(s => s.Error is not null).Select(s => s.Error!).Distinct().ToList();
            if (bad.Count > 0)
            {
                dangerous.AddRange(bad.Select(b => $"{f.Path}: {b}"));
                findings.Add(Make(model, FindingLevel.Error, $"Pickle in {f.Path} imports {string.Join(", ", bad)}",
                    $"{f.Path} (sha256 {f.Sha256}) is a pickle that would call {string.Join(", ", bad)} when loaded: code execution on load. " +
                    "ModelGate did not unpickle it; the imports were read statically from its opcodes.", f.Path));
            }
            else if (unknown.Count > 0)
                findings.Add(Make(model, FindingLevel.Warning, $"Pickle in {f.Path} imports globals outside the allowlist",
                    $"{f.Path} imports {string.Join(", ", unknown.Take(10))}{(unknown.Count > 10 ? $" and {unknown.Count - 10} more" : "")}, which are not on the allowlist of tensor rebuild helpers; loading it would run unvetted code.", f.Path));
            if (errors.Count > 0 && bad.Count == 0)
                findings.Add(Make(model, FindingLevel.Warning, $"Pickle in {f.Path} could not be fully analysed",
                    $"{f.Path}: {string.Join("; ", errors.Take(3))}. Content after the point of failure was not checked.", f.Path + "#malformed"));
        }

        var raw = dangerous.Count > 0 ? 1.0 : 0.0;
        var evidence = new Dictionary<string, string>
        {
            ["files"] = $"{files.Count} files, {files.Sum(f => f.Size)} bytes (sha256 of each in model.files)",
            ["kinds"] = string.Join(", ", files.GroupBy(f => f.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")),
        };
        if (pickles.Count > 0) evidence["pickle files"] = string.Join(", ", pickles);
        if (dangerous.Count > 0) evidence["dangerous imports"] = string.Join("; ", dangerous);
        if (executables.Count > 0) evidence["executables"] = string.Join(", ", executables);
        var summary = dangerous.Count > 0 ? $"unsafe serialized content: {string.Join("; ", dangerous)}"
            : $"{files.Count} files inventoried; {pickles.Count} pickle file(s), none with dangerous imports; {executables.Count} executable(s)";
        var detector = new DetectorReport
        {
            Id = Id, Name = Name, Status = DetectorStatus.Completed, RawScore = raw, Probability = raw,
            Cost = new DetectorCost(0, 0, clock.Elapsed.TotalSeconds), Summary = summary, Evidence = evidence,
        };
        return new FormatSafetyOutcome(detector, findings, files);
    }

    private static Finding Make(ModelRef model, FindingLevel level, string title, string message, string evidenceKey) => new()
    {
        Fingerprint = ScanRunner.Fingerprint(Rules.UnsafeSerialization.Id, model, evidenceKey),
        RuleId = Rules.UnsafeSerialization.Id, Level = level, Title = title, Message = message, DetectorId = Id,
    };
}
