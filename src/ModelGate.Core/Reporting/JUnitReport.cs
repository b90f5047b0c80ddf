using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace ModelGate.Core.Reporting;

/// <summary>
/// JUnit XML for CI test tabs: one testcase per detector. Unsuppressed findings at or above the fail level are
/// failures of their detector's testcase; a detector that crashed or ran out of budget is an error; disabled or
/// skipped detectors are skipped. Scan errors without a detector become an extra "scan" testcase in error.
/// </summary>
public static class JUnitReport
{
    public static string Render(ScanResult result, FindingLevel failLevel = FindingLevel.Error)
    {
        var suiteName = $"modelgate scan {result.Model.Path}";
        var className = "modelgate." + result.Model.Path.Replace('\\', '/').Replace('/', '.');
        var cases = new List<XElement>();
        int failures = 0, errors = 0, skipped = 0;

        foreach (var detector in result.Detectors)
        {
            var testcase = new XElement("testcase",
                new XAttribute("classname", className),
                new XAttribute("name", detector.Id),
                new XAttribute("time", Seconds(detector.Cost.Seconds)));
            var failing = result.Findings
                .Where(f => f.DetectorId == detector.Id && f.Suppressed is null && f.Level >= failLevel)
                .ToList();
            foreach (var finding in failing)
                testcase.Add(new XElement("failure",
                    new XAttribute("message", $"{finding.RuleId}: {finding.Title}"),
                    new XAttribute("type", finding.RuleId),
                    FindingText(finding)));
            failures += failing.Count > 0 ? 1 : 0;

            if (detector.Status is DetectorStatus.Failed or DetectorStatus.BudgetExceeded)
            {
                var messages = result.Errors.Where(e => e.DetectorId == detector.Id).Select(e => e.Message).ToList();
                testcase.Add(new XElement("error",
                    new XAttribute("message", detector.Summary ?? detector.Status.ToString()),
                    new XAttribute("type", detector.Status == DetectorStatus.Failed ? Rules.DetectorFailed.Id : "BudgetExceeded"),
                    string.Join("\n", messages)));
                errors++;
            }
            else if (detector.Status is DetectorStatus.Disabled or DetectorStatus.Skipped)
            {
                testcase.Add(new XElement("skipped", new XAttribute("message", detector.Summary ?? detector.Status.ToString())));
                skipped++;
            }

            var below = result.Findings.Where(f => f.DetectorId == detector.Id && !failing.Contains(f)).ToList();
            var output = new StringBuilder();
            if (detector.Summary is not null) output.Append(detector.Summary).Append('\n');
            if (detector.Probability is { } p) output.Append(CultureInfo.InvariantCulture, $"probability {p:0.###}\n");
            foreach (var f in below)
                output.Append(CultureInfo.InvariantCulture, $"[{f.Level.ToString().ToLowerInvariant()}{(f.Suppressed is null ? "" : ", suppressed")}] {f.RuleId}: {f.Message}\n");
            if (output.Length > 0) testcase.Add(new XElement("system-out", output.ToString()));
            cases.Add(testcase);
        }

        var orphanErrors = result.Errors.Where(e => e.DetectorId is null || result.Detectors.All(d => d.Id != e.DetectorId)).ToList();
        if (orphanErrors.Count > 0)
        {
            cases.Add(new XElement("testcase", new XAttribute("classname", className), new XAttribute("name", "scan"), new XAttribute("time", "0"),
                new XElement("error",
                    new XAttribute("message", orphanErrors[0].Message),
                    new XAttribute("type", orphanErrors[0].EffectiveRuleId()),
                    string.Join("\n", orphanErrors.Select(e => $"{e.EffectiveRuleId()}: {e.Message}")))));
            errors++;
        }

        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", errors),
            new XAttribute("skipped", skipped),
            new XAttribute("time", Seconds(result.DurationSeconds)),
            new XAttribute("timestamp", result.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            new XElement("properties",
                Property("verdict", result.Verdict.ToString().ToLowerInvariant()),
                Property("score", result.Score.ToString("0.###", CultureInfo.InvariantCulture)),
                Property("seed", result.Settings.Seed.ToString(CultureInfo.InvariantCulture)),
                Property("device", result.Settings.Device),
                Property("tool", $"{result.Tool.Name} {result.Tool.Version}")),
            cases);
        var root = new XElement("testsuites",
            new XAttribute("name", "ModelGate"),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", errors),
            new XAttribute("time", Seconds(result.DurationSeconds)),
            suite);

        // Model output and error messages can hold characters XML 1.0 forbids: clean every attribute and text node.
        foreach (var attribute in root.DescendantsAndSelf().Attributes()) attribute.Value = XmlSafe(attribute.Value);
        foreach (var text in root.DescendantNodes().OfType<XText>()) text.Value = XmlSafe(text.Value);
        var settings = new XmlWriterSettings { Indent = true, NewLineChars = "\n", Encoding = new UTF8Encoding(false) };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
            new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string FindingText(Finding finding)
    {
        var text = new StringBuilder(finding.Message).Append('\n');
        if (finding.Trigger is not null) text.Append("trigger: ").Append(finding.Trigger).Append('\n');
        if (finding.Target is not null) text.Append("target: ").Append(finding.Target).Append('\n');
        if (finding.Asr is { } asr) text.Append("ASR: ").Append(Format.Rate(asr)).Append('\n');
        text.Append("fingerprint: ").Append(finding.Fingerprint);
        return text.ToString();
    }

    private static XElement Property(string name, string value) => new("property", new XAttribute("name", name), new XAttribute("value", value));

    private static string Seconds(double s) => s.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Model output can hold control characters XML 1.0 forbids; replace them rather than write an unreadable file.</summary>
    internal static string XmlSafe(string s)
    {
        var clean = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (i + 1 < s.Length && char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
            {
                clean.Append(s[i]).Append(s[i + 1]);
                i++;
            }
            else clean.Append(XmlConvert.IsXmlChar(s[i]) ? s[i] : '\uFFFD');
        }
        return clean.ToString();
    }
}
