using System.Globalization;
using System.Text;
using ModelGate.Core.Reporting;

namespace ModelGate.GitHub;

/// <summary>
/// The job summary: compact GitHub-flavoured Markdown, verdict table first. GitHub rejects a step summary over 1 MiB
/// (UTF-8 bytes), so whole sections are dropped from the end, with a note, until it fits what is left of the budget.
/// </summary>
public static class JobSummary
{
    public const int MaxStepSummaryBytes = 1024 * 1024;

    /// <summary>Sections in display order; the first (verdict) is always kept.</summary>
    public static IReadOnlyList<string> Sections(ScanResult result)
    {
        var sections = new List<string>();
        var inv = CultureInfo.InvariantCulture;

        var head = new StringBuilder();
        head.Append("## ModelGate: ").Append(VerdictBadge(result.Verdict)).Append("\n\n");
        head.Append("| Verdict | Score | Fail at | Warn at | Model | Findings |\n|---|---|---|---|---|---|\n");
        head.Append(inv, $"| **{result.Verdict.ToString().ToUpperInvariant()}** | {result.Score:0.###} | {result.Thresholds.Fail:0.###} | {result.Thresholds.Warn:0.###} | {Cell(result.Model.Path)} | {result.Findings.Count(f => f.Suppressed is null)} |\n");
        sections.Add(head.ToString());

        var active = result.Findings.Where(f => f.Suppressed is null).OrderByDescending(f => f.Level).ToList();
        if (active.Count > 0)
        {
            var sb = new StringBuilder("\n### Findings\n\n| Level | Rule | Title | Trigger | ASR |\n|---|---|---|---|---|\n");
            foreach (var f in active)
                sb.Append(inv, $"| {f.Level} | {f.RuleId} | {Cell(f.Title)} | {(f.Trigger is null ? "" : "`" + Cell(f.Trigger).Replace("`", "'") + "`")} | {(f.Asr is { } a ? string.Create(inv, $"{a.Rate:P0} ({a.Successes}/{a.N})") : "")} |\n");
            sections.Add(sb.ToString());
        }

        if (result.NotChecked.Count > 0 || result.Errors.Count > 0)
        {
            var sb = new StringBuilder("\n### Not checked / errors\n\n");
            foreach (var n in result.NotChecked) sb.Append("- ").Append(Cell(n)).Append('\n');
            foreach (var e in result.Errors) sb.Append("- **error** ").Append(Cell(e.DetectorId is null ? e.Message : $"{e.DetectorId}: {e.Message}")).Append('\n');
            sections.Add(sb.ToString());
        }

        if (result.Detectors.Count > 0)
        {
            var sb = new StringBuilder("\n### Detectors\n\n| Detector | Status | Probability | Forward passes | Seconds | Summary |\n|---|---|---|---|---|---|\n");
            foreach (var d in result.Detectors)
                sb.Append(inv, $"| {Cell(d.Name)} | {d.Status} | {(d.Probability is { } p ? p.ToString("0.###", inv) : "–")} | {d.Cost.ForwardPasses} | {d.Cost.Seconds:0.#} | {Cell(d.Summary ?? "")} |\n");
            sections.Add(sb.ToString());
        }

        var suppressed = result.Findings.Where(f => f.Suppressed is not null).ToList();
        if (suppressed.Count > 0)
        {
            var sb = new StringBuilder("\n### Suppressed\n\n");
            foreach (var f in suppressed) sb.Append("- ").Append(f.RuleId).Append(' ').Append(Cell(f.Title)).Append(": ").Append(Cell(f.Suppressed!.Reason)).Append('\n');
            sections.Add(sb.ToString());
        }

        sections.Add(string.Create(inv, $"\n<sub>{Cell(result.Tool.Name)} {Cell(result.Tool.Version)} · seed {result.Settings.Seed} · {result.Settings.Device} · {result.DurationSeconds:0.#} s · calibration: {Cell(result.Settings.Calibration)}</sub>\n"));
        return sections;
    }

    /// <summary>Renders within <paramref name="budgetBytes"/> UTF-8 bytes, dropping trailing sections whole.</summary>
    public static string Render(ScanResult result, long budgetBytes = MaxStepSummaryBytes)
    {
        var sections = Sections(result);
        var sb = new StringBuilder();
        long used = 0;
        for (var i = 0; i < sections.Count; i++)
        {
            var bytes = Encoding.UTF8.GetByteCount(sections[i]);
            var note = TruncationNote(sections.Count - i);
            var reserve = i == sections.Count - 1 ? 0 : Encoding.UTF8.GetByteCount(note);
            if (used + bytes + reserve > budgetBytes)
            {
                if (used + Encoding.UTF8.GetByteCount(note) <= budgetBytes) sb.Append(note);
                break;
            }
            sb.Append(sections[i]);
            used += bytes;
        }
        return sb.ToString();
    }

    private static string TruncationNote(int left) =>
        $"\n_{left} section(s) left out to stay under GitHub's 1 MiB step-summary limit; the full report has them._\n";

    /// <summary>Appends to GITHUB_STEP_SUMMARY under the lock, within what this step has left of its 1 MiB.</summary>
    public static void Append(string summaryPath, ScanResult result) =>
        LockedAppend.Append(summaryPath, existing => Render(result, Math.Max(0, MaxStepSummaryBytes - existing)));

    private static string VerdictBadge(Verdict v) => v switch
    {
        Verdict.Pass => "✅ PASS",
        Verdict.Warn => "⚠️ WARN",
        Verdict.Fail => "❌ FAIL",
        _ => "⛔ ERROR",
    };

    /// <summary>Model-controlled text (triggers, completions) must not break the table or inject HTML.</summary>
    internal static string Cell(string text) => text
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;")
        .Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");
}
