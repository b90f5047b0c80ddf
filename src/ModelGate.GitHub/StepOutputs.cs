using System.Globalization;
using System.Text;
using ModelGate.Core.Reporting;

namespace ModelGate.GitHub;

/// <summary>Step outputs written to GITHUB_OUTPUT: verdict, score and report paths.</summary>
public static class StepOutputs
{
    public static IReadOnlyList<KeyValuePair<string, string>> From(ScanResult result, IReadOnlyDictionary<string, string>? reportPaths = null)
    {
        var outputs = new List<KeyValuePair<string, string>>
        {
            new("verdict", result.Verdict.ToString().ToLowerInvariant()),
            new("score", result.Score.ToString("0.####", CultureInfo.InvariantCulture)),
            new("findings", result.Findings.Count(f => f.Suppressed is null).ToString(CultureInfo.InvariantCulture)),
        };
        foreach (var (format, path) in reportPaths ?? new Dictionary<string, string>())
            outputs.Add(new($"report-{format}", path));
        return outputs;
    }

    /// <summary>
    /// Heredoc form for every value (<c>name&lt;&lt;DELIM</c>) with a random delimiter, so a value with newlines, or one that
    /// tries to close the block, cannot inject other outputs.
    /// </summary>
    public static string Render(IEnumerable<KeyValuePair<string, string>> outputs)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in outputs)
        {
            string delimiter;
            do delimiter = $"ghadelimiter_{Guid.NewGuid():N}"; while (value.Contains(delimiter, StringComparison.Ordinal));
            sb.Append(name).Append("<<").Append(delimiter).Append('\n').Append(value).Append('\n').Append(delimiter).Append('\n');
        }
        return sb.ToString();
    }

    public static void Write(string outputPath, IEnumerable<KeyValuePair<string, string>> outputs)
    {
        var text = Render(outputs);
        LockedAppend.Append(outputPath, _ => text);
    }
}
