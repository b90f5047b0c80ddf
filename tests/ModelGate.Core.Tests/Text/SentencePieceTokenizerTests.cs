using ModelGate.Core.Text;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Text;

/// <summary>
/// stories260K's llama2.c tokenizer converted to a Llama-2-style tokenizer.json, checked against llama2.c's own
/// algorithm and against Hugging Face's Rust tokenizers reading the converted file.
/// </summary>
public class SentencePieceTokenizerTests
{
    private string _dir = null!;
    private ITokenizer _ours = null!;
    private Llama2cReferenceEncoder _llama2c = null!;
    private Tokenizers.DotNet.Tokenizer _oracle = null!;

    [OneTimeSetUp]
    public void Convert()
    {
        var tokBin = SharedFixtures.RequireShared("models", "stories260K", "tok512.bin");
        _dir = SharedFixtures.TempDir("mg-sp-tok");
        Llama2cTokenizerConverter.Convert(tokBin, _dir, vocabSize: 512);
        _ours = TokenizerLoader.Load(_dir);
        _llama2c = new Llama2cReferenceEncoder(tokBin);
        _oracle = new Tokenizers.DotNet.Tokenizer(Path.Combine(_dir, "tokenizer.json"));
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _oracle?.Dispose();
        if (_dir is not null) Directory.Delete(_dir, recursive: true);
    }

    private static IEnumerable<string> Corpus => TokenizerCorpus.Lines.Where(l => l.Length > 0 && !l.Contains("<s>") && !l.Contains("</s>"));

    [Test]
    public void Converted_tokenizer_has_the_llama_roles()
    {
        Assert.That(_ours.Kind, Is.EqualTo("sentencepiece-bpe"));
        Assert.That(_ours.VocabSize, Is.EqualTo(512));
        Assert.That(_ours.BosId, Is.EqualTo(1));
        Assert.That(_ours.EosIds, Is.EqualTo(new[] { 2 }));
        Assert.That(_ours.IdToToken(3), Is.EqualTo("<0x00>"));
    }

    [TestCaseSource(nameof(Corpus))]
    public void Encode_matches_llama2c_and_the_reference(string text)
    {
        var ours = _ours.Encode(text);
        Assert.That(ours, Is.EqualTo(_llama2c.Encode(text)), "llama2.c's algorithm");
        // The oracle always adds special tokens: the converted post-processor prepends <s>.
        Assert.That(_ours.Encode(text, addSpecialTokens: true), Is.EqualTo(_oracle.Encode(text).Select(x => (int)x).ToArray()), "Hugging Face tokenizers");
    }

    [TestCaseSource(nameof(Corpus))]
    public void Decode_matches_the_reference(string text)
    {
        var ids = _ours.Encode(text, addSpecialTokens: true);
        Assert.That(_ours.Decode(ids), Is.EqualTo(_oracle.Decode(ids.Select(x => (uint)x).ToArray())));
    }

    [Test]
    public void Special_tokens_inside_text_are_single_tokens()
    {
        var ids = _ours.Encode("Hi</s>there");
        Assert.That(ids, Does.Contain(2));
        Assert.That(_ours.Decode(ids, skipSpecialTokens: false), Does.Contain("</s>"));
        Assert.That(_ours.Decode(ids, skipSpecialTokens: true), Does.Not.Contain("</s>"));
    }
}
