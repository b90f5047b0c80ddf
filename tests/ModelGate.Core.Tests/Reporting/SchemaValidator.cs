using System.Text.Json.Nodes;
using Json.Schema;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Reporting;

/// <summary>Validates documents against a JSON schema file and lists every error with its location.</summary>
public static class SchemaValidator
{
    private static readonly Dictionary<string, JsonSchema> Cache = new();

    public static JsonSchema Load(string path, bool draft04 = false)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(path, out var cached)) return cached;
            var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            if (draft04)
            {
                // JsonSchema.Net has no draft-04 meta-schema. SARIF's schema uses only keywords that behave the same in
                // draft-07 apart from "id", so evaluate it as draft-07 with "$id".
                node.Remove("$schema");
                if (node.Remove("id", out var id)) node["$id"] = id;
            }
            var schema = JsonSchema.FromText(node.ToJsonString());
            Cache[path] = schema;
            return schema;
        }
    }

    public static IReadOnlyList<string> Errors(JsonSchema schema, string json, bool draft07 = false)
    {
        var options = new EvaluationOptions
        {
            OutputFormat = OutputFormat.List,
            RequireFormatValidation = true,
            EvaluateAs = draft07 ? SpecVersion.Draft7 : SpecVersion.Unspecified,
        };
        var result = schema.Evaluate(JsonNode.Parse(json), options);
        if (result.IsValid) return [];
        var errors = (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
            .ToList();
        return errors.Count > 0 ? errors : ["invalid (no details)"];
    }

    public static string SchemaPath(string name) => Path.Combine(SharedFixtures.RepoRoot, "docs", "schemas", name);
}
