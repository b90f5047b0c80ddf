using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelGate.Core.Reporting;

/// <summary>
/// The machine-readable result: camelCase JSON, enums in lower camel case (verdict pass|warn|fail|error),
/// nulls omitted, versioned by schemaVersion. The schema is docs/schemas/scan-result.schema.json.
/// </summary>
public static class JsonReport
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            NewLine = "\n",
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // Triggers are often made of '<', '|', non-ASCII: keep them readable in the file.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.Strict,
        };
        // Options converters win over the enums' own [JsonConverter] attributes, which use PascalCase names.
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Render(ScanResult result) => JsonSerializer.Serialize(result, Options) + "\n";

    /// <summary>Reads a result written by <see cref="Render"/>; throws a one-line error naming the file when it is not one.</summary>
    public static ScanResult Parse(string json, string source = "<result>")
    {
        ScanResult? result;
        try
        {
            result = JsonSerializer.Deserialize<ScanResult>(json, Options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1})" : "";
            throw new ModelGateException(ErrorKind.Output, $"not a ModelGate scan result{where}: {ex.Message.Split('\n')[0]}", source, ex);
        }
        if (result is null)
            throw new ModelGateException(ErrorKind.Output, "not a ModelGate scan result: the document is null", source);
        if (result.SchemaVersion.Split('.')[0] != ScanResult.CurrentSchemaVersion.Split('.')[0])
            throw new ModelGateException(ErrorKind.Output, $"scan result schemaVersion {result.SchemaVersion} is not supported (expected {ScanResult.CurrentSchemaVersion})", source);
        return result;
    }
}
