using System.Globalization;
using System.Text;

namespace ModelGate.Core.Reporting;

/// <summary>
/// GitHub-flavoured Markdown for step summaries and PR comments: the verdict table first, then findings (trigger,
/// target, ASR, example pairs), a Mermaid bar chart of detector scores, detectors, what was not checked, provenance.
/// <see cref="Render(ScanResult, int)"/> drops whole sections from the end to fit a byte budget (GitHub allows
/// 1 MiB of UTF-8 per step summary) and says what it dropped.
/// </summary>
public static class MarkdownReport
{
    /// <summary>GitHub's step-summary limit.</summary>
    public const int StepSummaryMaxBytes = 1024 * 1024;

    public static string Render(ScanResult result) => string.Concat(Sections(result));

    public static string Render(ScanResult result, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var sections = Sections(result);
        var output = new StringBuilder();
        var used = 0;
        for (var i = 0; i < sections.Count; i++)
        {
            var size = Encoding.UTF8.GetByteCount(sections[i]);
            var rest = sections.Count - i - 1;
            // Keep room for the notice unless this is the last section and it fits exactly.
            if (used + size <= maxBytes && (rest == 0 || used + size + Encoding.UTF8.GetByteCount(Notice(rest)) <= maxBytes))
            {
                output.Append(sections[i]);
                used += size;
                continue;
            }
            var notice = Notice(sections.Count - i);
            var noticeBytes = Encoding.UTF8.GetByteCount(notice);
            if (i == 0)
            {
                // Even the verdict table does not fit: cut it on a character boundary, keeping the notice if possible.
                if (noticeBytes <= maxBytes)
                    return Truncate(sections[0], maxBytes - noticeBytes) + notice;
                return Truncate(sections[0], maxBytes);
            }
            output.Append(used + noticeBytes <= maxBytes ? notice : "");
            break;
        }
        return output.ToString();
    }

    private static string Notice(int omitted) =>
        $"\n> [!NOTE]\n> Report truncated to fit: {omitted} section(s) omitted. The JSON report has everything.\n";

    /// <summary>The longest prefix of <paramref name="text"/> whose UTF-8 form fits, never splitting a surrogate pair.</summary>
    public static string Truncate(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        var bytes = 0;
        var end = 0;
        while (end < text.Length)
        {
            var width = char.IsHighSurrogate(text[end]) && end + 1 < text.Length && char.IsLowSurrogate(text[end + 1]) ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.AsSpan(end, width));
            if (bytes + size > maxBytes) break;
            bytes += size;
            end += width;
        }
        return text[..end];
    }

    private static List<string> Sections(ScanResult r)
    {
        var sections = new List<string> { Header(r) };
        if (r.Findings.Count > 0) sections.Add(Findings(r));
        if (r.Errors.Count > 0 || r.NotChecked.Count > 0) sections.Add(NotChecked(r));
        sections.Add(Detectors(r));
        sections.Add(Provenance(r));
        return sections;
    }

    private static string Header(ScanResult r)
    {
        var icon = r.Verdict switch { Verdict.Pass => "✅", Verdict.Warn => "⚠️", Verdict.Fail => "❌", _ => "⛔" };
        var open = r.Findings.Count(f => f.Suppressed is null);
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"## {icon} ModelGate: {Format.Verdict(r.Verdict)}\n\n");
        s.Append("| Verdict | Score | Model | Findings | Detectors | Duration |\n|---|---|---|---|---|---|\n");
        var completed = r.Detectors.Count(d => d.Status == DetectorStatus.Completed);
        s.Append(CultureInfo.InvariantCulture,
            $"| **{Format.Verdict(r.Verdict)}** | {Format.Probability(r.Score)} (fail ≥ {Format.Probability(r.Thresholds.Fail)}, warn ≥ {Format.Probability(r.Thresholds.Warn)}) | `{Code(r.Model.Path)}` | {open}{(open != r.Findings.Count ? $" (+{r.Findings.Count - open} suppressed)" : "")} | {completed}/{r.Detectors.Count} completed | {Format.Seconds(r.DurationSeconds)} |\n");
        if (r.Verdict == Verdict.Error)
            s.Append("\n**The scan did not complete, so the model was not fully checked. An error is never a pass.**\n");
        return s.ToString();
    }

    private static string Findings(ScanResult r)
    {
        var s = new StringBuilder("\n### Findings\n");
        foreach (var f in r.Findings)
        {
            var rule = Rules.All.FirstOrDefault(x => x.Id == f.RuleId);
            var name = rule is null ? f.RuleId : $"[{f.RuleId}]({rule.HelpUri}) {rule.Name}";
            s.Append(CultureInfo.InvariantCulture, $"\n#### {f.Level.ToString().ToLowerInvariant()}: {Cell(f.Title)} ({name})\n\n");
            if (f.Suppressed is { } sup)
                s.Append(CultureInfo.InvariantCulture, $"> Suppressed by {Cell(sup.Source)}: {Cell(sup.Reason)}{(sup.Expires is { } e ? $" (expires {e:yyyy-MM-dd})" : "")}\n\n");
            s.Append(Cell(f.Message)).Append("\n\n");
            s.Append("| | |\n|---|---|\n");
            if (f.Trigger is not null) s.Append("| Trigger | `").Append(Code(f.Trigger)).Append("` |\n");
            if (f.Target is not null) s.Append("| Target | `").Append(Code(f.Target)).Append("` |\n");
            if (f.Asr is { } asr) s.Append("| Attack success rate | ").Append(Format.Rate(asr)).Append(" |\n");
            if (f.BaselineRate is { } b) s.Append("| Without the trigger | ").Append(Format.Rate(b)).Append(" |\n");
            s.Append("| Detector | `").Append(Code(f.DetectorId)).Append("` |\n");
            s.Append("| Fingerprint | `").Append(Code(f.Fingerprint)).Append("` |\n");
            if (f.Examples.Count > 0)
            {
                s.Append(CultureInfo.InvariantCulture, $"\n<details><summary>{f.Examples.Count} example pair(s)</summary>\n\n");
                s.Append("| Prompt | Completion | With trigger | Completion |\n|---|---|---|---|\n");
                foreach (var x in f.Examples)
                    s.Append(CultureInfo.InvariantCulture, $"| {Cell(x.Prompt)} | {Cell(x.Completion)} | {Cell(x.TriggeredPrompt)} | {Cell(x.TriggeredCompletion)} |\n");
                s.Append("\n</details>\n");
            }
        }
        return s.ToString();
    }

    private static string NotChecked(ScanResult r)
    {
        var s = new StringBuilder("\n### Not checked\n\n");
        foreach (var e in r.Errors)
            s.Append(CultureInfo.InvariantCulture, $"- ⛔ **{e.EffectiveRuleId()}**{(e.DetectorId is null ? "" : $" `{Code(e.DetectorId)}`")}: {Cell(e.Message)}\n");
        foreach (var n in r.NotChecked)
            s.Append("- ").Append(Cell(n)).Append('\n');
        return s.ToString();
    }

    private static string Detectors(ScanResult r)
    {
        var s = new StringBuilder("\n### Detectors\n\n");
        var scored = r.Detectors.Where(d => d.Probability is not null).ToList();
        if (scored.Count > 0)
        {
            // Mermaid xychart labels are quoted strings; drop quotes rather than break the diagram.
            s.Append("```mermaid\nxychart-beta\n  title \"Detector scores (P(backdoor))\"\n");
            s.Append("  x-axis [").Append(string.Join(", ", scored.Select(d => $"\"{d.Id.Replace("\"", "")}\""))).Append("]\n");
            s.Append("  y-axis \"probability\" 0 --> 1\n");
            s.Append("  bar [").Append(string.Join(", ", scored.Select(d => d.Probability!.Value.ToString("0.###", CultureInfo.InvariantCulture)))).Append("]\n```\n\n");
        }
        s.Append("| Detector | Status | P(backdoor) | Forward passes | Tokens | Time | Summary |\n|---|---|---|---|---|---|---|\n");
        foreach (var d in r.Detectors)
            s.Append(CultureInfo.InvariantCulture,
                $"| {Cell(d.Name)} (`{Code(d.Id)}`) | {Format.Status(d.Status)} | {Format.Probability(d.Probability)} | {Format.Count(d.Cost.ForwardPasses)} | {Format.Count(d.Cost.Tokens)} | {Format.Seconds(d.Cost.Seconds)} | {Cell(d.Summary ?? "")} |\n");
        return s.ToString();
    }

    private static string Provenance(ScanResult r)
    {
        var s = new StringBuilder("\n<details><summary>Provenance</summary>\n\n");
        s.Append(CultureInfo.InvariantCulture, $"{Cell(r.Tool.Name)} {Cell(r.Tool.Version)} · {Cell(r.Tool.Engine)} · device `{Code(r.Settings.Device)}` · seed {r.Settings.Seed} · calibration: {Cell(r.Settings.Calibration)} · started {r.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC\n\n");
        if (r.Model.Files.Count > 0)
        {
            s.Append("| File | Kind | Size | SHA-256 |\n|---|---|---|---|\n");
            foreach (var f in r.Model.Files)
                s.Append(CultureInfo.InvariantCulture, $"| `{Code(f.Path)}` | {Cell(f.Kind)} | {Format.Count(f.Size)} | `{f.Sha256}` |\n");
        }
        s.Append("\n</details>\n");
        return s.ToString();
    }

    /// <summary>Text inside a table cell or paragraph: escape what Markdown/HTML would interpret; keep it on one line.</summary>
    internal static string Cell(string text)
    {
        var s = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '|': s.Append("\\|"); break;
                case '<': s.Append("&lt;"); break;
                case '>': s.Append("&gt;"); break;
                case '&': s.Append("&amp;"); break;
                case '*' or '_' or '`' or '[' or ']' or '\\' or '#': s.Append('\\').Append(c); break;
                case '\r': break;
                case '\n': s.Append("<br>"); break;
                default: s.Append(char.IsControl(c) ? '\uFFFD' : c); break;
            }
        }
        return s.ToString();
    }

    /// <summary>Text inside a single-backtick code span within a table: no backticks, pipes escaped, one line.</summary>
    internal static string Code(string text) =>
        text.Replace("`", "ˋ").Replace("|", "\\|").Replace("\r", "").Replace("\n", "⏎");
}
