using System.Globalization;
using System.Text;
using ModelGate.Core.Reporting;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ModelGate.Cli.Rendering;

/// <summary>How to draw the console report.</summary>
public enum ConsoleStyle
{
    /// <summary>Plain lines: no ANSI, no box drawing. For CI logs, pipes and files.</summary>
    Plain,
    /// <summary>Spectre panels and tables without colour (for golden tests and dumb terminals).</summary>
    Boxes,
    /// <summary>Spectre panels and tables with ANSI colour: an interactive terminal.</summary>
    Rich,
}

/// <summary>
/// The human-readable console report: verdict panel, detector table, findings. A pure function of the
/// <see cref="ScanResult"/>; <see cref="ChooseStyle"/> picks plain lines whenever output is not an interactive terminal.
/// </summary>
public static class ConsoleReport
{
    public const int DefaultWidth = 100;

    /// <summary>Rich only on a real terminal outside CI, honouring NO_COLOR and TERM=dumb.</summary>
    public static ConsoleStyle ChooseStyle(TextWriter output, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var isConsole = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        if (!isConsole) return ConsoleStyle.Plain;
        if (!string.IsNullOrEmpty(env("CI")) || !string.IsNullOrEmpty(env("GITHUB_ACTIONS")) || !string.IsNullOrEmpty(env("TF_BUILD")))
            return ConsoleStyle.Plain;
        if (env("TERM") == "dumb") return ConsoleStyle.Plain;
        return !string.IsNullOrEmpty(env("NO_COLOR")) ? ConsoleStyle.Boxes : ConsoleStyle.Rich;
    }

    public static void Write(ScanResult result, TextWriter output, ConsoleStyle style, int width = DefaultWidth)
    {
        if (style == ConsoleStyle.Plain)
        {
            output.Write(RenderPlain(result));
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = style == ConsoleStyle.Rich ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = style == ConsoleStyle.Rich ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        foreach (var renderable in Renderables(result))
            console.Write(renderable);
    }

    public static string Render(ScanResult result, ConsoleStyle style, int width = DefaultWidth)
    {
        var writer = new StringWriter { NewLine = "\n" };
        Write(result, writer, style, width);
        return writer.ToString().ReplaceLineEndings("\n");
    }

    private static IEnumerable<IRenderable> Renderables(ScanResult r)
    {
        var color = VerdictColor(r.Verdict);
        var open = r.Findings.Count(f => f.Suppressed is null);
        var summary = new Rows(
            new Markup($"[bold {color}]{Format.Verdict(r.Verdict)}[/]  score [bold]{Format.Probability(r.Score)}[/] (fail ≥ {Format.Probability(r.Thresholds.Fail)}, warn ≥ {Format.Probability(r.Thresholds.Warn)})"),
            new Text($"model {r.Model.Path} · {open} finding(s){Suppressed(r)} · {Format.Seconds(r.DurationSeconds)} · seed {r.Settings.Seed} · {r.Settings.Device}"));
        yield return new Panel(summary) { Header = new PanelHeader($" ModelGate {Markup.Escape(r.Tool.Version)} "), Border = BoxBorder.Rounded, BorderStyle = Style.Parse(color), Expand = true };

        var table = new Table { Border = TableBorder.Rounded, Expand = true };
        table.AddColumn("Detector");
        table.AddColumn("Status");
        table.AddColumn(new TableColumn("P(backdoor)").RightAligned());
        table.AddColumn(new TableColumn("Passes").RightAligned());
        table.AddColumn(new TableColumn("Time").RightAligned());
        table.AddColumn("Summary");
        foreach (var d in r.Detectors)
            table.AddRow(
                new Text(d.Id),
                new Markup($"[{StatusColor(d.Status)}]{Format.Status(d.Status)}[/]"),
                new Text(Format.Probability(d.Probability)),
                new Text(Format.Count(d.Cost.ForwardPasses)),
                new Text(Format.Seconds(d.Cost.Seconds)),
                new Text(d.Summary ?? ""));
        yield return table;

        foreach (var f in r.Findings)
        {
            var lines = new List<IRenderable> { new Text(f.Message) };
            if (f.Trigger is not null) lines.Add(new Text($"trigger  {Quote(f.Trigger)}"));
            if (f.Target is not null) lines.Add(new Text($"target   {Quote(f.Target)}"));
            if (f.Asr is { } asr) lines.Add(new Text($"ASR      {Format.Rate(asr)}"));
            if (f.BaselineRate is { } b) lines.Add(new Text($"baseline {Format.Rate(b)}"));
            foreach (var x in f.Examples)
                lines.Add(new Text($"example  {Quote(x.Prompt)} → {Quote(x.Completion)}\n   with  {Quote(x.TriggeredPrompt)} → {Quote(x.TriggeredCompletion)}"));
            if (f.Suppressed is { } s) lines.Add(new Text($"suppressed by {s.Source}: {s.Reason}"));
            var levelColor = f.Suppressed is not null ? "grey" : LevelColor(f.Level);
            yield return new Panel(new Rows(lines))
            {
                Header = new PanelHeader($" [{levelColor}]{Markup.Escape(Level(f))}[/] {Markup.Escape(f.RuleId)} {Markup.Escape(f.Title)} "),
                Border = BoxBorder.Rounded,
                BorderStyle = new Style(Color.Grey),
                Expand = true,
            };
        }

        if (r.Errors.Count > 0 || r.NotChecked.Count > 0)
        {
            var lines = r.Errors.Select(e => (IRenderable)new Text($"{e.EffectiveRuleId()} {e.Message}", new Style(Color.Red)))
                .Concat(r.NotChecked.Select(n => (IRenderable)new Text($"not checked: {n}")))
                .ToList();
            yield return new Panel(new Rows(lines)) { Header = new PanelHeader(" not fully checked: an error is never a pass "), Border = BoxBorder.Rounded, BorderStyle = new Style(Color.Red), Expand = true };
        }
    }

    /// <summary>Plain lines, one fact each, stable for grep and CI logs. No ANSI, no box drawing.</summary>
    public static string RenderPlain(ScanResult r)
    {
        var s = new StringBuilder();
        var open = r.Findings.Count(f => f.Suppressed is null);
        s.Append(CultureInfo.InvariantCulture, $"ModelGate {r.Tool.Version}: {Format.Verdict(r.Verdict)} score {Format.Probability(r.Score)} (fail >= {Format.Probability(r.Thresholds.Fail)}, warn >= {Format.Probability(r.Thresholds.Warn)})\n");
        s.Append(CultureInfo.InvariantCulture, $"model: {r.Model.Path} | {open} finding(s){Suppressed(r)} | {Format.Seconds(r.DurationSeconds)} | seed {r.Settings.Seed} | device {r.Settings.Device}\n");
        foreach (var d in r.Detectors)
            s.Append(CultureInfo.InvariantCulture, $"detector {d.Id}: {Format.Status(d.Status)}, p={Format.Probability(d.Probability)}, {Format.Count(d.Cost.ForwardPasses)} passes, {Format.Seconds(d.Cost.Seconds)}{(d.Summary is null ? "" : $" - {OneLine(d.Summary)}")}\n");
        foreach (var f in r.Findings)
        {
            s.Append(CultureInfo.InvariantCulture, $"{Level(f)} {f.RuleId} {f.Title}: {OneLine(f.Message)}\n");
            if (f.Trigger is not null) s.Append("  trigger: ").Append(Quote(f.Trigger)).Append('\n');
            if (f.Target is not null) s.Append("  target: ").Append(Quote(f.Target)).Append('\n');
            if (f.Asr is { } asr) s.Append("  ASR: ").Append(Format.Rate(asr)).Append('\n');
            if (f.BaselineRate is { } b) s.Append("  baseline: ").Append(Format.Rate(b)).Append('\n');
            foreach (var x in f.Examples)
                s.Append(CultureInfo.InvariantCulture, $"  example: {Quote(x.Prompt)} -> {Quote(x.Completion)} | with trigger: {Quote(x.TriggeredPrompt)} -> {Quote(x.TriggeredCompletion)}\n");
            if (f.Suppressed is { } sup) s.Append(CultureInfo.InvariantCulture, $"  suppressed by {sup.Source}: {OneLine(sup.Reason)}\n");
        }
        foreach (var e in r.Errors)
            s.Append(CultureInfo.InvariantCulture, $"error {e.EffectiveRuleId()}{(e.DetectorId is null ? "" : $" {e.DetectorId}")}: {OneLine(e.Message)}\n");
        foreach (var n in r.NotChecked)
            s.Append("not checked: ").Append(OneLine(n)).Append('\n');
        if (r.Verdict == Verdict.Error)
            s.Append("The model was not fully checked; an error is never a pass.\n");
        return s.ToString();
    }

    private static string Suppressed(ScanResult r)
    {
        var n = r.Findings.Count(f => f.Suppressed is not null);
        return n == 0 ? "" : $" (+{n} suppressed)";
    }

    private static string Level(Finding f) => f.Suppressed is null ? f.Level.ToString().ToLowerInvariant() : "suppressed";

    /// <summary>Model text shown as a quoted literal: escape control characters (including ESC) so output can never drive the terminal.</summary>
    private static string Quote(string text)
    {
        var s = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (c == '"' || c == '\\') s.Append('\\').Append(c);
            else if (c == '\n') s.Append("\\n");
            else if (c == '\t') s.Append("\\t");
            else if (char.IsControl(c)) s.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else s.Append(c);
        }
        return s.Append('"').ToString();
    }

    private static string OneLine(string text) =>
        new(text.Replace("\r", "").Replace('\n', ' ').Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static string VerdictColor(Verdict v) => v switch
    {
        Verdict.Pass => "green",
        Verdict.Warn => "yellow",
        _ => "red",
    };

    private static Color StatusColorValue(DetectorStatus s) => s == DetectorStatus.Completed ? Color.Green : s is DetectorStatus.Disabled or DetectorStatus.Skipped ? Color.Grey : Color.Red;

    private static string StatusColor(DetectorStatus s) => StatusColorValue(s).ToMarkup();

    private static string LevelColor(FindingLevel l) => l switch
    {
        FindingLevel.Error => "red",
        FindingLevel.Warning => "yellow",
        _ => "blue",
    };
}
