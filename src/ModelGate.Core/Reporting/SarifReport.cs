using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelGate.Core.Reporting;

/// <summary>
/// SARIF 2.1.0 for GitHub code scanning. Rule ids come from <see cref="Rules"/>. Every result carries our own
/// partialFingerprints (so the upload action never hashes multi-GB weights line by line) and its primary location is
/// a text line: the line that declared the model, else the model's config.json line 1. Weights go in relatedLocations.
/// </summary>
public static class SarifReport
{
    public const string SchemaUri = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    private const string InformationUri = "https://github.com/modelgate/modelgate";

    public static string Render(ScanResult result)
    {
        var primary = PrimaryLocation(result);
        var results = new JsonArray();
        foreach (var finding in result.Findings)
            results.Add(FindingResult(result, finding, primary));
        foreach (var error in result.Errors)
            results.Add(ErrorResult(result, error, primary));

        var log = new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = result.Tool.Name,
                        ["version"] = result.Tool.Version,
                        ["informationUri"] = InformationUri,
                        ["rules"] = new JsonArray(Rules.All.Select(RuleDescriptor).ToArray<JsonNode?>()),
                    },
                },
                ["invocations"] = new JsonArray(new JsonObject
                {
                    // An ERROR verdict means the scan itself did not complete; code scanning shows that as a tool failure.
                    ["executionSuccessful"] = result.Verdict != Verdict.Error,
                    ["startTimeUtc"] = result.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
                }),
                ["results"] = results,
                ["properties"] = new JsonObject
                {
                    ["verdict"] = result.Verdict.ToString().ToLowerInvariant(),
                    ["score"] = result.Score,
                    ["seed"] = result.Settings.Seed,
                    ["model"] = result.Model.Path,
                },
            }),
        };
        return log.ToJsonString(JsonReport.Options) + "\n";
    }

    private static JsonObject RuleDescriptor(Rule rule) => new()
    {
        ["id"] = rule.Id,
        ["name"] = rule.Name,
        ["shortDescription"] = new JsonObject { ["text"] = rule.ShortDescription },
        ["fullDescription"] = new JsonObject { ["text"] = rule.FullDescription },
        ["helpUri"] = rule.HelpUri,
        ["help"] = new JsonObject
        {
            ["text"] = $"{rule.FullDescription} See {rule.HelpUri}",
            ["markdown"] = $"{rule.FullDescription}\n\nSee [{rule.Id}]({rule.HelpUri}).",
        },
        ["defaultConfiguration"] = new JsonObject { ["level"] = Level(rule.DefaultLevel) },
        ["properties"] = new JsonObject
        {
            ["tags"] = new JsonArray("security", "ml-model", rule.Id.StartsWith("MG1", StringComparison.Ordinal) ? "backdoor" : "scan"),
            ["precision"] = rule.Id == Rules.SelfReport.Id ? "low" : "high",
            ["security-severity"] = rule.SecuritySeverity,
        },
    };

    private static JsonObject FindingResult(ScanResult scan, Finding finding, SourceLocation primary)
    {
        var properties = new JsonObject { ["detector"] = finding.DetectorId, ["title"] = finding.Title };
        if (finding.Trigger is not null) properties["trigger"] = finding.Trigger;
        if (finding.Target is not null) properties["target"] = finding.Target;
        if (finding.Asr is { } asr)
            properties["asr"] = new JsonObject { ["rate"] = asr.Rate, ["successes"] = asr.Successes, ["n"] = asr.N, ["low"] = asr.Low, ["high"] = asr.High };
        var result = Result(scan, finding.RuleId, finding.Level, finding.Message, finding.Fingerprint, primary, properties);
        if (finding.Suppressed is { } s)
        {
            var suppression = new JsonObject { ["kind"] = "external", ["status"] = "accepted", ["justification"] = s.Reason };
            if (s.Expires is { } expires) suppression["properties"] = new JsonObject { ["expires"] = expires.ToString("yyyy-MM-dd"), ["source"] = s.Source };
            else suppression["properties"] = new JsonObject { ["source"] = s.Source };
            result["suppressions"] = new JsonArray(suppression);
        }
        return result;
    }

    private static JsonObject ErrorResult(ScanResult scan, ScanError error, SourceLocation primary)
    {
        var ruleId = error.EffectiveRuleId();
        var evidence = $"{error.DetectorId}|{error.Message}";
        var properties = new JsonObject();
        if (error.DetectorId is not null) properties["detector"] = error.DetectorId;
        return Result(scan, ruleId, FindingLevel.Error, error.Message, $"{ruleId.ToLowerInvariant()}-{Hash(evidence)[..16]}", primary, properties);
    }

    private static JsonObject Result(ScanResult scan, string ruleId, FindingLevel level, string message, string fingerprint, SourceLocation primary, JsonObject properties)
    {
        var index = Rules.All.ToList().FindIndex(r => r.Id == ruleId);
        var result = new JsonObject { ["ruleId"] = ruleId };
        if (index >= 0) result["ruleIndex"] = index;
        result["level"] = Level(level);
        result["message"] = new JsonObject { ["text"] = message };
        result["locations"] = new JsonArray(Location(primary));
        var related = scan.Model.Files.Select((f, i) => (JsonNode?)new JsonObject
        {
            ["id"] = i + 1,
            ["physicalLocation"] = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = Uri(f.Path) } },
            ["message"] = new JsonObject { ["text"] = $"{f.Kind} file, sha256 {f.Sha256}" },
        }).ToArray();
        if (related.Length > 0) result["relatedLocations"] = new JsonArray(related);
        result["partialFingerprints"] = new JsonObject
        {
            // Our fingerprint is rule + model digest + evidence; the line hash is derived from it, never from file contents.
            ["modelgateFingerprint/v1"] = fingerprint,
            ["primaryLocationLineHash"] = $"{Hash($"{ruleId}|{fingerprint}")[..16]}:1",
        };
        result["properties"] = properties;
        return result;
    }

    /// <summary>The declaring line when known; else config.json line 1 in the model folder — never a weights file.</summary>
    public static SourceLocation PrimaryLocation(ScanResult result) =>
        result.DeclaredAt ?? new SourceLocation(Path.Combine(result.Model.Path, "config.json"), 1);

    private static JsonObject Location(SourceLocation location) => new()
    {
        ["physicalLocation"] = new JsonObject
        {
            ["artifactLocation"] = new JsonObject { ["uri"] = Uri(location.Path) },
            ["region"] = new JsonObject { ["startLine"] = Math.Max(1, location.Line) },
        },
    };

    /// <summary>Repository-relative URI with forward slashes, percent-escaping what a URI reference may not hold.</summary>
    private static string Uri(string path) =>
        string.Join('/', path.Replace('\\', '/').Split('/').Select(System.Uri.EscapeDataString));

    private static string Level(FindingLevel level) => level switch
    {
        FindingLevel.Note => "note",
        FindingLevel.Warning => "warning",
        _ => "error",
    };

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
