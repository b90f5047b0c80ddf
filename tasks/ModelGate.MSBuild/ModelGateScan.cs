using System.Diagnostics;
using System.Text.Json;
using Microsoft.Build.Framework;

namespace ModelGate.MSBuild;

/// <summary>
/// Scans one model by running the modelgate CLI out of process (`modelgate scan MODEL --json PATH`), then turns its
/// JSON report into MSBuild diagnostics coded with the rule id, pointing at the item that declared the model.
/// Exit codes follow ModelGate.Core's ExitCodes: 0 pass, 1 gate failed, 2 error, 3 nothing scannable, 4 usage.
/// </summary>
public sealed class ModelGateScan : Microsoft.Build.Utilities.Task
{
    [Required] public string ModelPath { get; set; } = "";
    [Required] public string DeclaringFile { get; set; } = "";
    [Required] public string JsonPath { get; set; } = "";
    [Required] public string StampPath { get; set; } = "";
    [Required] public string WorkingDirectory { get; set; } = "";
    public string? Policy { get; set; }
    public string? Reference { get; set; }
    public string? CliPath { get; set; }
    public string? ExtraArgs { get; set; }
    public string HelpBase { get; set; } = "https://github.com/modelgate/modelgate/blob/main/docs/rules.md";

    private int _line, _column;

    public override bool Execute()
    {
        (_line, _column) = DeclarationLocator.Find(DeclaringFile, ModelPath);
        var fullModel = Path.GetFullPath(ModelPath, WorkingDirectory);
        if (!Directory.Exists(fullModel) && !File.Exists(fullModel))
        {
            Error("MG0002", $"ModelGateModel '{ModelPath}' does not exist ({fullModel}).");
            return false;
        }

        var cli = CliLocator.Locate(CliPath, WorkingDirectory, out var problem);
        if (cli is null)
        {
            Error("MG0001", $"{problem} {CliLocator.InstallHint}");
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(JsonPath))!);
        if (File.Exists(JsonPath)) File.Delete(JsonPath); // never read a stale report as this run's result
        if (File.Exists(StampPath)) File.Delete(StampPath);

        var run = RunCli(cli, fullModel);
        if (run is null) return false;
        var (exitCode, lastErrorLine) = run.Value;

        var verdict = "(no report)";
        if (File.Exists(JsonPath)) LogReport(out verdict);

        switch (exitCode)
        {
            case 0 when verdict is "fail" or "error" or "(no report)":
                // Contradictory or missing output is never a pass: fail closed.
                if (!Log.HasLoggedErrors)
                    Error("MG2001", File.Exists(JsonPath)
                        ? $"modelgate exited 0 for '{ModelPath}' but its report says verdict '{verdict}'."
                        : $"modelgate exited 0 for '{ModelPath}' but wrote no report to {JsonPath}.");
                return false;
            case 0 when !Log.HasLoggedErrors:
                File.WriteAllText(StampPath, DateTime.UtcNow.ToString("O"));
                return true;
            case 0:
                return false;
            case 1:
                if (!Log.HasLoggedErrors)
                    Error("MG1001", $"ModelGate failed the gate for '{ModelPath}'{(File.Exists(JsonPath) ? "" : " and wrote no report")}. {lastErrorLine}".Trim());
                return false;
            case 3:
                Error("MG2004", lastErrorLine ?? $"Nothing scannable was found in '{ModelPath}'.");
                return false;
            default:
                // 2 (error), 4 (usage) or a crash: the gate fails closed with the CLI's one-line message.
                if (!Log.HasLoggedErrors)
                    Error("MG2001", lastErrorLine ?? $"modelgate exited with code {exitCode} while scanning '{ModelPath}'.");
                return false;
        }
    }

    private (int ExitCode, string? LastErrorLine)? RunCli(CliCommand cli, string fullModel)
    {
        var psi = new ProcessStartInfo(cli.FileName)
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in cli.LeadingArgs) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("scan");
        psi.ArgumentList.Add(fullModel);
        psi.ArgumentList.Add("--json");
        psi.ArgumentList.Add(Path.GetFullPath(JsonPath));
        if (!string.IsNullOrWhiteSpace(Policy)) { psi.ArgumentList.Add("--policy"); psi.ArgumentList.Add(Path.GetFullPath(Policy!, WorkingDirectory)); }
        if (!string.IsNullOrWhiteSpace(Reference)) { psi.ArgumentList.Add("--reference"); psi.ArgumentList.Add(Path.GetFullPath(Reference!, WorkingDirectory)); }
        foreach (var a in (ExtraArgs ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)) psi.ArgumentList.Add(a);

        Log.LogMessage(MessageImportance.Normal, $"ModelGate: {cli.Description} {string.Join(" ", psi.ArgumentList.Skip(cli.LeadingArgs.Count))}");
        string? lastError = null;
        try
        {
            using var process = Process.Start(psi)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) Log.LogMessage(MessageImportance.Low, e.Data); };
            process.ErrorDataReceived += (_, e) =>
            {
                if (string.IsNullOrWhiteSpace(e.Data)) return;
                lastError = e.Data.Trim();
                Log.LogMessage(MessageImportance.Normal, e.Data);
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
            return (process.ExitCode, lastError);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Error("MG0001", $"Could not start {cli.Description}: {e.Message}. {CliLocator.InstallHint}");
            return null;
        }
    }

    /// <summary>Logs each finding and engine error of the report; returns whether an error was logged.</summary>
    private bool LogReport(out string verdict)
    {
        verdict = "error";
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(JsonPath)); }
        catch (JsonException e)
        {
            Error("MG2001", $"The modelgate report {JsonPath} is not valid JSON: {e.Message}");
            return true;
        }
        using (doc)
        {
            var root = doc.RootElement;
            verdict = Str(root, "verdict")?.ToLowerInvariant() ?? "error";
            var loggedError = false;
            if (root.TryGetProperty("findings", out var findings) && findings.ValueKind == JsonValueKind.Array)
            {
                foreach (var f in findings.EnumerateArray())
                {
                    var rule = Str(f, "ruleId") ?? "MG1001";
                    var text = Describe(f);
                    if (f.TryGetProperty("suppressed", out var s) && s.ValueKind == JsonValueKind.Object)
                    {
                        Log.LogMessage(MessageImportance.Normal, $"{rule} suppressed ({Str(s, "reason")}): {text}");
                        continue;
                    }
                    switch (Str(f, "level")?.ToLowerInvariant())
                    {
                        case "error": Error(rule, text); loggedError = true; break;
                        case "warning": Warning(rule, text); break;
                        default: Log.LogMessage(MessageImportance.High, $"{rule}: {text}"); break;
                    }
                }
            }
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in errors.EnumerateArray())
                {
                    var detector = Str(e, "detectorId");
                    Error(detector is null ? "MG2001" : "MG2002", (detector is null ? "" : $"detector {detector}: ") + Str(e, "message"));
                    loggedError = true;
                }
            }
            return loggedError;
        }
    }

    private string Describe(JsonElement finding)
    {
        var parts = new List<string>();
        var title = Str(finding, "title");
        var message = Str(finding, "message");
        if (title is not null) parts.Add(title);
        if (message is not null && message != title) parts.Add(message);
        var trigger = Str(finding, "trigger");
        if (trigger is not null) parts.Add($"trigger: \"{trigger}\"");
        var target = Str(finding, "target");
        if (target is not null) parts.Add($"target: \"{target}\"");
        return $"{ModelPath}: {string.Join(" — ", parts)}";
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private string HelpLink(string code) => $"{HelpBase}#{code.ToLowerInvariant()}";

    private void Error(string code, string message) =>
        Log.LogError(null, code, null, HelpLink(code), DeclaringFile, _line, _column, 0, 0, message);

    private void Warning(string code, string message) =>
        Log.LogWarning(null, code, null, HelpLink(code), DeclaringFile, _line, _column, 0, 0, message);
}
