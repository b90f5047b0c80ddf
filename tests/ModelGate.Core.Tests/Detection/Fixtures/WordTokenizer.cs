using ModelGate.Core.Text;

namespace ModelGate.Core.Tests.Detection.Fixtures;

/// <summary>
/// TEST FIXTURE: a word-level tokenizer (split on spaces). Known words map to their id; unknown words map by a
/// stable hash to one of the ordinary words, so different prompts still end in different tokens.
/// </summary>
internal sealed class WordTokenizer : ITokenizer
{
    public const int Pad = 0, Bos = 1, Eos = 2;
    private readonly string[] _vocab;
    private readonly Dictionary<string, int> _ids;
    private readonly int[] _ordinary;

    public WordTokenizer(IReadOnlyList<string> words, IReadOnlySet<string> reserved)
    {
        _vocab = new[] { "<pad>", "<bos>", "<eos>" }.Concat(words).ToArray();
        _ids = _vocab.Select((w, i) => (w, i)).ToDictionary(x => x.w, x => x.i);
        _ordinary = Enumerable.Range(3, _vocab.Length - 3).Where(i => !reserved.Contains(_vocab[i])).ToArray();
    }

    public string Kind => "fixture-word";
    public int VocabSize => _vocab.Length;
    public int? BosId => Bos;
    public IReadOnlyList<int> EosIds => [Eos];
    public int? PadId => Pad;

    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        var ids = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => _ids.TryGetValue(w, out var id) ? id : _ordinary[Fnv(w) % (uint)_ordinary.Length]);
        return (addSpecialTokens ? ids.Prepend(Bos) : ids).ToArray();
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) =>
        string.Join(' ', ids.Where(i => !skipSpecialTokens || !IsSpecial(i)).Select(i => _vocab[i]));

    public string? IdToToken(int id) => id >= 0 && id < _vocab.Length ? _vocab[id] : null;
    public int? TokenToId(string token) => _ids.TryGetValue(token, out var id) ? id : null;
    public bool IsSpecial(int id) => id < 3;

    private static uint Fnv(string s)
    {
        var h = 2166136261;
        foreach (var c in s) h = (h ^ c) * 16777619;
        return h;
    }
}

/// <summary>TEST FIXTURE: the prompt format is the user's text itself.</summary>
internal sealed class PlainUserFormatter : IPromptFormatter
{
    public string Kind => "plain";
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true) => string.Join(' ', messages.Select(m => m.Content));
}
