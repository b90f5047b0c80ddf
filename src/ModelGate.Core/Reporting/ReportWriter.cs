using System.Text;

namespace ModelGate.Core.Reporting;

/// <summary>Which report files to write; null means "not requested".</summary>
public sealed record ReportPaths(string? Json = null, string? Sarif = null, string? JUnit = null, string? Markdown = null)
{
    public bool Any => Json is not null || Sarif is not null || JUnit is not null || Markdown is not null;
}

/// <summary>
/// Writes the requested reports. Each file is written to a temporary file beside its target and moved over it,
/// so a reader (CI upload, the MSBuild task) never sees a half-written report. A failure names the path.
/// </summary>
public static class ReportWriter
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <returns>The full paths written, in the order json, sarif, junit, markdown.</returns>
    public static IReadOnlyList<string> Write(ScanResult result, ReportPaths paths, FindingLevel failLevel = FindingLevel.Error,
        int markdownMaxBytes = MarkdownReport.StepSummaryMaxBytes)
    {
        var written = new List<string>();
        if (paths.Json is { } json) written.Add(WriteAtomic(json, JsonReport.Render(result)));
        if (paths.Sarif is { } sarif) written.Add(WriteAtomic(sarif, SarifReport.Render(result)));
        if (paths.JUnit is { } junit) written.Add(WriteAtomic(junit, JUnitReport.Render(result, failLevel)));
        if (paths.Markdown is { } md) written.Add(WriteAtomic(md, MarkdownReport.Render(result, markdownMaxBytes)));
        return written;
    }

    public static string WriteAtomic(string path, string content)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ModelGateException(ErrorKind.Output, $"cannot write report: invalid path ({ex.Message})", path, ex);
        }
        if (Directory.Exists(full))
            throw new ModelGateException(ErrorKind.Output, "cannot write report: the path is a directory", path);
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(temp, content, Utf8NoBom);
            File.Move(temp, full, overwrite: true);
            return full;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new ModelGateException(ErrorKind.Output, $"cannot write report: {ex.Message.Split('\n')[0].TrimEnd()}", path, ex);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* best effort: the original error matters more */ }
    }
}
