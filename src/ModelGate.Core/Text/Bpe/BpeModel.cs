using System.Text;

namespace ModelGate.Core.Text.Bpe;

/// <summary>
/// The BPE model of a tokenizer.json: vocabulary, ranked merges, byte fallback and unknown-token handling.
/// Merges apply lowest rank first, leftmost first among equal ranks, as Hugging Face's tokenizers do.
/// </summary>
internal sealed class BpeModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly Dictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly int? _unkId;

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string A, string B)> merges, string? unkToken, bool byteFallback, bool ignoreMerges, bool fuseUnk)
    {
        _vocab = vocab;
        _ranks = new Dictionary<(string, string), int>(merges.Count);
        for (var i = 0; i < merges.Count; i++) _ranks.TryAdd(merges[i], i);
        _unkId = unkToken is not null && vocab.TryGetValue(unkToken, out var u) ? u : null;
        ByteFallback = byteFallback;
        IgnoreMerges = ignoreMerges;
        FuseUnk = fuseUnk;
    }

    public bool ByteFallback { get; }
    public bool IgnoreMerges { get; }
    public bool FuseUnk { get; }
    public IReadOnlyDictionary<string, int> Vocab => _vocab;

    /// <summary>Token ids of one pre-tokenized word; results are cached since real text repeats words.</summary>
    public int[] Tokenize(string word)
    {
        if (word.Length == 0) return [];
        lock (_cache)
            if (_cache.TryGetValue(word, out var cached)) return cached;
        var ids = TokenizeUncached(word);
        lock (_cache)
            if (_cache.Count < 200_000) _cache[word] = ids;
        return ids;
    }

    private int[] TokenizeUncached(string word)
    {
        if (IgnoreMerges && _vocab.TryGetValue(word, out var whole)) return [whole];

        // Start from single characters (Unicode scalar values).
        var symbols = new List<string>();
        for (var i = 0; i < word.Length; i++)
        {
            var len = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            symbols.Add(word.Substring(i, len));
            i += len - 1;
        }

        while (symbols.Count > 1)
        {
            var bestRank = int.MaxValue;
            var bestAt = -1;
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    bestAt = i;
                }
            }
            if (bestAt < 0) break;
            var (a, b) = (symbols[bestAt], symbols[bestAt + 1]);
            // Merge every non-overlapping occurrence of this pair, left to right, as the reference does.
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (symbols[i] == a && symbols[i + 1] == b)
                {
                    symbols[i] = a + b;
                    symbols.RemoveAt(i + 1);
                }
            }
        }

        var ids = new List<int>(symbols.Count);
        var lastWasUnk = false;
        foreach (var s in symbols)
        {
            if (_vocab.TryGetValue(s, out var id))
            {
                ids.Add(id);
                lastWasUnk = false;
                continue;
            }
            if (ByteFallback)
            {
                var fallback = Encoding.UTF8.GetBytes(s).Select(b => _vocab.TryGetValue($"<0x{b:X2}>", out var bid) ? bid : -1).ToArray();
                if (fallback.All(x => x >= 0))
                {
                    ids.AddRange(fallback);
                    lastWasUnk = false;
                    continue;
                }
            }
            if (_unkId is null)
                throw new ModelGateException(ErrorKind.InvalidModel, $"tokenizer.json: the text contains '{s}', which the vocabulary cannot represent and there is no unk_token");
            if (!(FuseUnk && lastWasUnk)) ids.Add(_unkId.Value);
            lastWasUnk = true;
        }
        return ids.ToArray();
    }
}
