using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ModelGate.Core.Reporting;

namespace ModelGate.Core.Policy;

/// <summary>A policy as loaded: the settings, where they came from, and warnings (expired suppressions).</summary>
public sealed record LoadedPolicy(GatePolicy Policy, string? Path, IReadOnlyList<string> Warnings)
{
    /// <summary>A path from the policy, resolved against the policy file's folder.</summary>
    public string? Resolve(string? relative) =>
        relative is null ? null : System.IO.Path.GetFullPath(relative, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path ?? ".")) ?? ".");
}

/// <summary>
/// Reads modelgate.json: JSON with comments and trailing commas. Unknown keys are rejected with the key and its
/// line (a typo must not silently fall back to a default), as are malformed values; errors are one line, ErrorKind.Policy.
/// </summary>
public static partial class GatePolicyLoader
{
    public const string FileName = "modelgate.json";

    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            PropertyNameCaseInsensitive = false,
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static LoadedPolicy Load(string path, DateOnly? today = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelGateException(ErrorKind.Policy, $"cannot read policy: {ex.Message}", path, ex);
        }
        return Parse(text, path, today);
    }

    /// <summary>Loads <paramref name="path"/> when given, else ./modelgate.json when present, else the defaults.</summary>
    public static LoadedPolicy LoadOrDefault(string? path, string directory, DateOnly? today = null)
    {
        if (path is not null) return Load(path, today);
        var candidate = System.IO.Path.Combine(directory, FileName);
        return File.Exists(candidate) ? Load(candidate, today) : new LoadedPolicy(GatePolicy.Default, null, []);
    }

    public static LoadedPolicy Parse(string text, string source, DateOnly? today = null)
    {
        GatePolicy? policy;
        try
        {
            policy = JsonSerializer.Deserialize<GatePolicy>(text, Options);
        }
        catch (JsonException ex)
        {
            throw new ModelGateException(ErrorKind.Policy, Describe(ex), source, ex);
        }
        if (policy is null)
            throw new ModelGateException(ErrorKind.Policy, "the policy must be a JSON object", source);
        Validate(policy, source);

        var day = today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var warnings = policy.Suppressions
            .Where(s => s.IsExpired(day))
            .Select(s => $"{source}: suppression ({s.Describe()}) expired on {s.Expires:yyyy-MM-dd} and no longer applies; reason was: {s.Reason}")
            .ToList();
        return new LoadedPolicy(policy, source, warnings);
    }

    private static void Validate(GatePolicy policy, string source)
    {
        void Fail(string message) => throw new ModelGateException(ErrorKind.Policy, message, source);

        if (policy.WarnOn > policy.FailOn)
            Fail($"warnOn ({Lower(policy.WarnOn)}) is above failOn ({Lower(policy.FailOn)})");
        if (policy.Budget.Seconds is <= 0) Fail("budget.seconds must be positive");
        if (policy.Budget.ForwardPasses is <= 0) Fail("budget.forwardPasses must be positive");
        for (var i = 0; i < policy.Suppressions.Count; i++)
        {
            var s = policy.Suppressions[i];
            if (s.Rule is null && s.Fingerprint is null && s.Trigger is null)
                Fail($"suppressions[{i}] needs a rule, fingerprint or trigger to match");
            if (string.IsNullOrWhiteSpace(s.Reason))
                Fail($"suppressions[{i}] needs a reason");
            if (s.Rule is not null && Rules.All.All(r => !string.Equals(r.Id, s.Rule, StringComparison.OrdinalIgnoreCase)))
                Fail($"suppressions[{i}].rule \"{s.Rule}\" is not a ModelGate rule id (see docs/rules.md)");
            if (s.Rule is not null && s.Rule.StartsWith("MG2", StringComparison.OrdinalIgnoreCase))
                Fail($"suppressions[{i}].rule {s.Rule} is a scan error; errors cannot be suppressed (use detectors.<id>.allowSkip)");
        }
    }

    private static string Lower(FindingLevel level) => level.ToString().ToLowerInvariant();

    private static string Describe(JsonException ex)
    {
        var line = ex.LineNumber is { } l ? $" at line {l + 1}" : "";
        var where = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $" ({ex.Path})";
        var unknown = UnmappedKey().Match(ex.Message);
        if (unknown.Success)
            return $"unknown key \"{unknown.Groups[1].Value}\"{line}{where}; see docs/schemas/modelgate-policy.schema.json";
        var required = MissingRequired().Match(ex.Message);
        if (required.Success)
            return $"missing required key(s) {required.Groups[1].Value}{line}{where}";
        var first = ex.Message.Split('\n')[0];
        var cut = first.IndexOf(" Path: ", StringComparison.Ordinal);
        return $"invalid policy{line}{where}: {(cut > 0 ? first[..cut] : first)}";
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedKey();

    [GeneratedRegex("missing required properties including: (.*?)\\.?( Path|$)")]
    private static partial Regex MissingRequired();
}
