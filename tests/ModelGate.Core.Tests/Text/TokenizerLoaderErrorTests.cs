using ModelGate.Core.Text;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Text;

public class TokenizerLoaderErrorTests
{
    private string _dir = null!;

    [SetUp]
    public void MakeDir() => _dir = SharedFixtures.TempDir("mg-tok-err");

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Missing_tokenizer_json_names_the_file()
    {
        var e = Assert.Throws<ModelGateException>(() => TokenizerLoader.Load(_dir));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.InvalidModel));
        Assert.That(e.Message, Does.Contain(Path.Combine(_dir, "tokenizer.json")).And.Contain("missing"));
    }

    [Test]
    public void Invalid_json_names_the_file_and_position()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "{\n  \"model\": {\"type\": \"BPE\",, }\n}");
        var e = Assert.Throws<ModelGateException>(() => TokenizerLoader.Load(_dir));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.InvalidModel));
        Assert.That(e.Message, Does.Contain("tokenizer.json").And.Contain("invalid JSON at line 2"));
    }

    [Test]
    public void Unsupported_model_type_is_unsupported_not_invalid()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
        var e = Assert.Throws<ModelGateException>(() => TokenizerLoader.Load(_dir));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.Unsupported));
        Assert.That(e.Message, Does.Contain("WordPiece"));
    }

    [Test]
    public void A_structurally_wrong_file_is_invalid()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "{\"model\": {\"type\": \"BPE\"}}");
        var e = Assert.Throws<ModelGateException>(() => TokenizerLoader.Load(_dir));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.InvalidModel));
    }

    [Test]
    public void A_model_without_chat_template_gets_a_plain_format_that_starts_with_bos()
    {
        Llama2cTokenizerConverter.Convert(SharedFixtures.RequireShared("models", "stories260K", "tok512.bin"), _dir, vocabSize: 512);
        var f = PromptFormatterFactory.Create(_dir);
        Assert.That(f.Kind, Is.EqualTo("plain"));
        var text = f.Render([new ChatMessage("user", "Once upon a time")]);
        Assert.That(text, Is.EqualTo("<s>Once upon a time"));
        var tok = TokenizerLoader.Load(_dir);
        Assert.That(tok.Encode(text), Is.EqualTo(tok.Encode("Once upon a time", addSpecialTokens: true)));
    }

    [Test]
    public void A_converted_tokenizer_with_a_chat_template_uses_it()
    {
        Llama2cTokenizerConverter.Convert(SharedFixtures.RequireShared("models", "stories260K", "tok512.bin"), _dir,
            chatTemplate: "{{ bos_token }}{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}", vocabSize: 512);
        var f = PromptFormatterFactory.Create(_dir);
        Assert.That(f.Kind, Is.EqualTo("chat-template"));
        Assert.That(f.Render([new ChatMessage("user", "Hi")]), Is.EqualTo("<s>user: Hi\nassistant:"));
    }
}
