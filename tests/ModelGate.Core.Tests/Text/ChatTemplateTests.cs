using ModelGate.Core.Text;

namespace ModelGate.Core.Tests.Text;

/// <summary>Real chat templates from public tokenizer_config.json files, rendered with Hugging Face's settings
/// (trim_blocks, lstrip_blocks); expected strings derived by reading each template.</summary>
public class ChatTemplateTests
{
    private const string Llama2 = @"{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    private const string Llama3 = @"{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    private const string Mistral = @"{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

    private const string Qwen2 = @"{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    private const string Zephyr = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

    private static ChatTemplateFormatter Make(string template, string bos = "<s>", string eos = "</s>") =>
        new(template, new Dictionary<string, string?> { ["bos_token"] = bos, ["eos_token"] = eos }, "tokenizer_config.json");

    private static readonly ChatMessage[] UserOnly = [new("user", "  Hi there ")];
    private static readonly ChatMessage[] WithSystem = [new("system", "Be brief."), new("user", "Hi")];
    private static readonly ChatMessage[] ThreeTurns = [new("user", "Hi"), new("assistant", "Hello!"), new("user", "More")];

    [Test]
    public void Llama2_chat()
    {
        Assert.That(Make(Llama2).Render(UserOnly), Is.EqualTo("<s>[INST] Hi there [/INST]"));
        Assert.That(Make(Llama2).Render(WithSystem), Is.EqualTo("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]"));
        Assert.That(Make(Llama2).Render(ThreeTurns), Is.EqualTo("<s>[INST] Hi [/INST] Hello! </s><s>[INST] More [/INST]"));
    }

    [Test]
    public void Llama2_rejects_non_alternating_roles_through_raise_exception()
    {
        var e = Assert.Throws<ModelGateException>(() => Make(Llama2).Render([new("user", "a"), new("user", "b")]));
        Assert.That(e!.Message, Does.Contain("tokenizer_config.json").And.Contain("Conversation roles must alternate"));
    }

    [Test]
    public void Llama3_instruct()
    {
        var f = Make(Llama3, "<|begin_of_text|>", "<|eot_id|>");
        Assert.That(f.Render(UserOnly), Is.EqualTo(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"));
        Assert.That(f.Render(UserOnly, addGenerationPrompt: false), Is.EqualTo(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"));
    }

    [Test]
    public void Mistral_instruct()
    {
        Assert.That(Make(Mistral).Render(ThreeTurns), Is.EqualTo("<s>[INST] Hi [/INST]Hello!</s>[INST] More [/INST]"));
        Assert.Throws<ModelGateException>(() => Make(Mistral).Render(WithSystem));
    }

    [Test]
    public void Qwen2_chatml_adds_a_default_system_turn()
    {
        Assert.That(Make(Qwen2).Render([new("user", "Hi")]), Is.EqualTo(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
        Assert.That(Make(Qwen2).Render(WithSystem, addGenerationPrompt: false), Is.EqualTo(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"));
    }

    [Test]
    public void Zephyr_relies_on_trim_blocks_and_lstrip_blocks()
    {
        Assert.That(Make(Zephyr).Render(WithSystem), Is.EqualTo("<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\n"));
    }

    [Test]
    public void Namespace_loop_controls_filters_and_whitespace_markers()
    {
        const string t = "{%- set ns = namespace(n=0) -%}\n{%- for m in messages if m.role != 'system' -%}\n  {%- if loop.index > 2 %}{% break %}{% endif -%}\n  {%- set ns.n = ns.n + 1 -%}\n  [{{ loop.index0 }}:{{ m['content'] | upper }}{{ '!' if loop.last else ',' }}]\n{%- endfor %} n={{ ns.n }} {{ messages | length }} {{ (messages | map(attribute='role') | list) | tojson }}";
        Assert.That(Make(t).Render(ThreeTurns), Is.EqualTo("[0:HI,][1:HELLO!,] n=2 3 [\"user\", \"assistant\", \"user\"]"));
    }

    [Test]
    public void Syntax_errors_name_the_file()
    {
        var e = Assert.Throws<ModelGateException>(() => Make("{% for m in messages %}{{ m }}"));
        Assert.That(e!.Message, Does.StartWith("tokenizer_config.json:").And.Contain("endfor"));
    }

    [Test]
    public void Plain_format_without_template()
    {
        var f = new PlainPromptFormatter("<s>", "### Instruction:\n{prompt}\n### Response:\n");
        Assert.That(f.Render([new("user", "Add 2 and 2.")]), Is.EqualTo("<s>### Instruction:\nAdd 2 and 2.\n### Response:\n"));
        Assert.That(new PlainPromptFormatter(null).Render([new("user", "Once upon a time")]), Is.EqualTo("Once upon a time"));
    }
}
