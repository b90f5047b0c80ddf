using ModelGate.Core.Text.Jinja;

namespace ModelGate.Core.Text;

/// <summary>
/// Renders a model's Jinja chat_template (tokenizer_config.json) exactly as Hugging Face's apply_chat_template does
/// (trim_blocks and lstrip_blocks on), so a trigger lands where a real user's text would. The rendered text already
/// holds the template's special tokens: encode it without adding special tokens.
/// </summary>
public sealed class ChatTemplateFormatter : IPromptFormatter
{
    private readonly List<Node> _template;
    private readonly Dictionary<string, object?> _specialTokens;
    private readonly string _file;

    public ChatTemplateFormatter(string template, IReadOnlyDictionary<string, string?> specialTokens, string file)
    {
        _file = file;
        try
        {
            _template = JinjaParser.Parse(template);
        }
        catch (JinjaException e)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, $"chat_template does not parse: {e.Message}", file, e);
        }
        _specialTokens = specialTokens.ToDictionary(p => p.Key, p => (object?)p.Value);
        Source = template;
    }

    public string Kind => "chat-template";

    /// <summary>The template text, for reports.</summary>
    public string Source { get; }

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        var vars = new Dictionary<string, object?>(_specialTokens)
        {
            ["messages"] = messages.Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        try
        {
            return JinjaRenderer.Render(_template, vars);
        }
        catch (TemplateRaisedException e)
        {
            throw new ModelGateException(ErrorKind.Usage, $"the chat template refused the conversation: {e.Message}", _file, e);
        }
        catch (JinjaException e)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, $"chat_template failed: {e.Message}", _file, e);
        }
    }
}

/// <summary>
/// For models without a chat template: messages' contents concatenated, optionally through a format such as
/// "### Instruction:\n{prompt}\n### Response:\n", after the BOS token text when the model has one.
/// </summary>
public sealed class PlainPromptFormatter(string? bosToken, string format = PlainPromptFormatter.RawFormat) : IPromptFormatter
{
    public const string RawFormat = "{prompt}";

    public string Kind => "plain";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        var prompt = string.Join("\n", messages.Where(m => m.Role != "assistant").Select(m => m.Content));
        var answer = string.Concat(messages.Where(m => m.Role == "assistant").Select(m => m.Content));
        return (bosToken ?? "") + format.Replace("{prompt}", prompt, StringComparison.Ordinal) + answer;
    }
}

/// <summary>Chooses the prompt format of a model directory: its chat template, or a plain format.</summary>
public static class PromptFormatterFactory
{
    public static IPromptFormatter Create(string modelDir, string? plainFormat = null)
    {
        var path = Path.Combine(modelDir, "tokenizer_config.json");
        var tokens = new Dictionary<string, string?>();
        string? template = null;
        if (File.Exists(path))
        {
            using var doc = JsonFiles.Parse(path);
            foreach (var key in new[] { "bos_token", "eos_token", "unk_token", "pad_token" })
                tokens[key] = TokenizerLoaderRoles.TokenName(doc.RootElement, key);
            if (doc.RootElement.TryGetProperty("chat_template", out var t))
            {
                if (t.ValueKind == System.Text.Json.JsonValueKind.String) template = t.GetString();
                else if (t.ValueKind == System.Text.Json.JsonValueKind.Array)
                    template = t.EnumerateArray().Where(x => x.GetProperty("name").GetString() == "default")
                        .Select(x => x.GetProperty("template").GetString()).FirstOrDefault();
            }
        }
        if (template is null)
        {
            var jinja = Path.Combine(modelDir, "chat_template.jinja");
            if (File.Exists(jinja)) { template = File.ReadAllText(jinja); path = jinja; }
        }
        if (plainFormat is not null || template is null)
            return new PlainPromptFormatter(AddsBos(modelDir) ? tokens.GetValueOrDefault("bos_token") : null, plainFormat ?? PlainPromptFormatter.RawFormat);
        return new ChatTemplateFormatter(template, tokens, path);
    }

    /// <summary>Whether encoding adds BOS (the post-processor's prefix): then a plain prompt starts with its text.</summary>
    private static bool AddsBos(string modelDir)
    {
        var tok = Path.Combine(modelDir, "tokenizer.json");
        if (!File.Exists(tok)) return false;
        var tokenizer = TokenizerLoader.Load(modelDir);
        return tokenizer.BosId is { } bos && tokenizer.Encode("", addSpecialTokens: true).FirstOrDefault(-1) == bos;
    }
}
