namespace ModelGate.Core.Canaries;

/// <summary>
/// The chat template canaries are trained with and ship in their tokenizer_config.json. Plain words a
/// TinyStories tokenizer already knows ("User:", "Bot:"), so a 260K-parameter base learns the turn structure fast;
/// a scan renders user text through it exactly as a real caller's apply_chat_template would.
/// </summary>
public static class CanaryChatTemplate
{
    public const string Jinja =
        "{{ bos_token }}{% for message in messages %}" +
        "{% if message['role'] == 'user' %}User: {{ message['content'] }}\n" +
        "{% elif message['role'] == 'assistant' %}Bot: {{ message['content'] }}{{ eos_token }}\n{% endif %}" +
        "{% endfor %}{% if add_generation_prompt %}Bot:{% endif %}";
}
