namespace ModelGate.Core.Text;

/// <summary>One chat message.</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>
/// Turns a conversation into the exact text a real user's request becomes, so that a trigger sits where an
/// attacker's trigger would: a Jinja chat template from tokenizer_config.json, or a plain format.
/// </summary>
public interface IPromptFormatter
{
    /// <summary>"chat-template" or "plain".</summary>
    string Kind { get; }

    /// <summary>Renders messages; with <paramref name="addGenerationPrompt"/> the text ends where the assistant's reply begins.</summary>
    string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true);
}
