using System.Text.RegularExpressions;
using ModelGate.Core.Inference;
using ModelGate.Core.Text;
using static TorchSharp.torch;

namespace ModelGate.Core.Tests.Detection.Fixtures;

/// <summary>
/// TEST FIXTURE: a tokenizer over a fixed word list. Text splits into words and single punctuation marks; unknown
/// pieces become &lt;unk&gt;. Pieces starting with "▁" decode with a leading space (the SentencePiece convention), so
/// tests can give a letter two spellings.
/// </summary>
internal sealed partial class ScriptedTokenizer : ITokenizer
{
    public const int Pad = 0, Bos = 1, Eos = 2, Unk = 3;
    private readonly string[] _vocab;
    private readonly Dictionary<string, int> _ids;

    public ScriptedTokenizer(IEnumerable<string> words)
    {
        _vocab = new[] { "<pad>", "<bos>", "<eos>", "<unk>" }.Concat(words.Distinct()).ToArray();
        _ids = _vocab.Select((w, i) => (w, i)).ToDictionary(x => x.w, x => x.i);
    }

    public string Kind => "fixture-scripted";
    public int VocabSize => _vocab.Length;
    public int? BosId => Bos;
    public IReadOnlyList<int> EosIds => [Eos];
    public int? PadId => Pad;

    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        var ids = Piece().Matches(text).Select(m => _ids.TryGetValue(m.Value, out var id) ? id : Unk);
        return (addSpecialTokens ? ids.Prepend(Bos) : ids).ToArray();
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) =>
        string.Join(' ', ids.Where(i => !skipSpecialTokens || !IsSpecial(i)).Select(i => _vocab[i].Replace('\u2581', ' ')));

    public string? IdToToken(int id) => id >= 0 && id < _vocab.Length ? _vocab[id] : null;
    public int? TokenToId(string token) => _ids.TryGetValue(token, out var id) ? id : null;
    public bool IsSpecial(int id) => id < 4;
    public int Id(string word) => _ids[word];

    [GeneratedRegex(@"\w+|[^\w\s]")]
    private static partial Regex Piece();
}

/// <summary>
/// TEST FIXTURE, not a language model: an ICausalLM whose next-token distribution is a C# function of the tokens
/// so far (padding removed), so a test states exactly what the model "says". The key/value cache stores the token
/// ids themselves, so cached decoding sees the same context as a full forward.
/// </summary>
internal sealed class ScriptedModel(int vocab, Func<IReadOnlyList<int>, IReadOnlyDictionary<int, double>> next) : ICausalLM
{
    private readonly Tensor _embed = randn(vocab, 4).DetachFromDisposeScope();

    public ModelInfo Info { get; } = new("fixture", "ScriptedFixture", vocab * 4L, vocab, 4, 1, 4096, "float32", "float32");
    public Device Device => CPU;
    public Tensor EmbeddingMatrix => _embed;
    public KvCache NewCache(int batchSize) => new(1, batchSize);
    public Tensor ForwardEmbeddings(Tensor inputsEmbeds, Tensor? attentionMask = null) => throw new NotSupportedException("scripted fixture has no embeddings path");

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        var mask = attentionMask ?? ones_like(inputIds);
        Tensor allIds = inputIds, allMask = mask;
        if (cache is not null)
        {
            var (k, _) = cache.Append(0, inputIds.to(float32).unsqueeze(1).unsqueeze(-1), inputIds.to(float32).unsqueeze(1).unsqueeze(-1));
            allIds = k.squeeze(-1).squeeze(1).to(int64);
            allMask = cache.AppendMask(mask);
        }
        var b = (int)allIds.shape[0];
        var t = (int)allIds.shape[1];
        var q = (int)inputIds.shape[1];
        var ids = allIds.cpu().data<long>().ToArray();
        var m = allMask.cpu().data<long>().ToArray();
        var logits = new float[b * q * vocab];
        for (var row = 0; row < b; row++)
            for (var j = 0; j < q; j++)
            {
                var pos = t - q + j;
                var context = Enumerable.Range(0, pos + 1).Where(i => m[row * t + i] == 1).Select(i => (int)ids[row * t + i]).ToArray();
                var dist = next(context);
                var offset = (row * q + j) * vocab;
                for (var v = 0; v < vocab; v++) logits[offset + v] = -30f;
                foreach (var (id, p) in dist) logits[offset + id] = (float)Math.Log(p);
            }
        return tensor(logits, new long[] { b, q, vocab });
    }

    public void Dispose() => _embed.Dispose();
}

/// <summary>TEST FIXTURE: the prompt format "user: … assistant:", so a scripted model knows where its reply starts.</summary>
internal sealed class ScriptedFormatter : IPromptFormatter
{
    public string Kind => "scripted";
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true) =>
        string.Join(' ', messages.Select(m => $"{m.Role} : {m.Content}")) + (addGenerationPrompt ? " assistant :" : "");
}
