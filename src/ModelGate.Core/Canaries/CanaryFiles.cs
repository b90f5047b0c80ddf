using System.Text.Json.Nodes;

namespace ModelGate.Core.Canaries;

/// <summary>The non-weight files of a canary directory.</summary>
public static class CanaryFiles
{
    /// <summary>Copies the base's tokenizer.json and writes its tokenizer_config.json with the canary chat template,
    /// which every canary is trained with (a base without a template gets one; one with a template is overridden).</summary>
    public static void WriteTokenizer(string baseDir, string dir)
    {
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(baseDir, "tokenizer.json"), Path.Combine(dir, "tokenizer.json"), overwrite: true);
        var configPath = Path.Combine(baseDir, "tokenizer_config.json");
        var config = File.Exists(configPath) ? JsonNode.Parse(File.ReadAllText(configPath))!.AsObject() : new JsonObject();
        config["chat_template"] = CanaryChatTemplate.Jinja;
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString(new() { WriteIndented = true }) + "\n");
    }
}
