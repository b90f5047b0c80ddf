using ModelGate.Core.Reporting;

namespace ModelGate.GitHub;

/// <summary>Annotation severity in workflow-command terms; the order is the display priority.</summary>
public enum AnnotationLevel { Error, Warning, Notice }

/// <summary>One annotation, independent of how it is delivered (workflow command or check-run annotation).</summary>
public sealed record Annotation(AnnotationLevel Level, string Title, string Message, string? File, int? Line)
{
    public string ToWorkflowCommand() => WorkflowCommands.Format(
        Level switch { AnnotationLevel.Error => "error", AnnotationLevel.Warning => "warning", _ => "notice" },
        Message,
        ("file", File), ("line", Line?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("title", Title));
}

/// <summary>Turns a <see cref="ScanResult"/> into annotations, most severe first.</summary>
public static class ScanAnnotations
{
    /// <summary>GitHub shows at most this many errors and this many warnings per step.</summary>
    public const int ShownPerLevel = 10;

    public static IReadOnlyList<Annotation> From(ScanResult result)
    {
        var file = result.DeclaredAt?.Path;
        var line = result.DeclaredAt?.Line;
        var list = new List<Annotation>();
        foreach (var f in result.Findings.Where(f => f.Suppressed is null))
        {
            var level = f.Level switch { FindingLevel.Error => AnnotationLevel.Error, FindingLevel.Warning => AnnotationLevel.Warning, _ => AnnotationLevel.Notice };
            var message = f.Message;
            if (f.Trigger is not null) message += $"\nTrigger: {f.Trigger}";
            if (f.Asr is { } asr) message += $"\nAttack success rate: {asr.Rate:P0} ({asr.Successes}/{asr.N}, 95% CI {asr.Low:P0}–{asr.High:P0})";
            list.Add(new Annotation(level, $"{f.RuleId} {f.Title}", message, file, line));
        }
        foreach (var e in result.Errors)
            list.Add(new Annotation(AnnotationLevel.Error, "ModelGate scan error", e.DetectorId is null ? e.Message : $"{e.DetectorId}: {e.Message}", file, line));
        if (result.NotChecked.Count > 0)
            list.Add(new Annotation(AnnotationLevel.Warning, "ModelGate: not everything was checked", string.Join("\n", result.NotChecked), file, line));
        // Stable sort: most severe first, input order within a level.
        return list.OrderBy(a => a.Level).ToList();
    }

    /// <summary>
    /// The workflow-command lines for one step: at most <see cref="ShownPerLevel"/> per level (GitHub would silently drop
    /// the rest), then one notice that says how many were left out and where to find them.
    /// </summary>
    public static IReadOnlyList<string> ToWorkflowCommands(ScanResult result)
    {
        var all = From(result);
        var shown = all.GroupBy(a => a.Level).SelectMany(g => g.Take(ShownPerLevel)).OrderBy(a => a.Level).ToList();
        var lines = shown.Select(a => a.ToWorkflowCommand()).ToList();
        var rest = all.Count - shown.Count;
        if (rest > 0)
            lines.Add(WorkflowCommands.Format("notice",
                $"{rest} more ModelGate annotation(s) not shown here (GitHub shows {ShownPerLevel} per level per step); see the job summary or the report.",
                ("title", "ModelGate: more findings")));
        return lines;
    }
}
