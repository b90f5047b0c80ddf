using ModelGate.Core.Text;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Text;

/// <summary>The real GPT-2 tokenizer.json, checked against Hugging Face's Rust tokenizers (Tokenizers.DotNet) on the whole corpus.</summary>
public class Gpt2TokenizerOracleTests
{
    private string _dir = null!;
    private ITokenizer _ours = null!;
    private Tokenizers.DotNet.Tokenizer _oracle = null!;

    [OneTimeSetUp]
    public void Load()
    {
        _dir = Path.GetDirectoryName(SharedFixtures.RequireShared("models", "gpt2-tokenizer", "tokenizer.json"))!;
        _ours = TokenizerLoader.Load(_dir);
        _oracle = new Tokenizers.DotNet.Tokenizer(Path.Combine(_dir, "tokenizer.json"));
    }

    [OneTimeTearDown]
    public void Dispose() => _oracle?.Dispose();

    [Test]
    public void Kind_and_vocabulary()
    {
        Assert.That(_ours.Kind, Is.EqualTo("byte-level-bpe"));
        Assert.That(_ours.VocabSize, Is.EqualTo(50257));
        Assert.That(_ours.TokenToId("<|endoftext|>"), Is.EqualTo(50256));
        Assert.That(_ours.IsSpecial(50256), Is.True);
    }

    [TestCaseSource(typeof(TokenizerCorpus), nameof(TokenizerCorpus.Lines))]
    public void Encode_matches_the_reference(string text)
    {
        var expected = _oracle.Encode(text).Select(x => (int)x).ToArray();
        Assert.That(_ours.Encode(text), Is.EqualTo(expected));
        // GPT-2's post-processor adds nothing, so both modes agree.
        Assert.That(_ours.Encode(text, addSpecialTokens: true), Is.EqualTo(expected));
    }

    [TestCaseSource(typeof(TokenizerCorpus), nameof(TokenizerCorpus.Lines))]
    public void Decode_matches_the_reference_and_round_trips(string text)
    {
        var ids = _ours.Encode(text);
        Assert.That(_ours.Decode(ids, skipSpecialTokens: true), Is.EqualTo(_oracle.Decode(ids.Select(x => (uint)x).ToArray())));
        Assert.That(_ours.Decode(ids, skipSpecialTokens: false), Is.EqualTo(text));
    }
}
