using System.Text.Json;

namespace ModelGate.Core.Text.Bpe;

/// <summary>
/// A BPE tokenizer built from tokenizer.json: byte-level (GPT-2, Llama 3, Qwen2) or SentencePiece-style with byte
/// fallback (Llama 2, Mistral). Pipeline as in Hugging Face's tokenizers: added tokens split out, normalizer,
/// pre-tokenizer, BPE, post-processor; decoding through the decoder chain.
/// </summary>
internal sealed class HuggingFaceTokenizer : ITokenizer
{
    private readonly BpeModel _model;
    private readonly AddedTokenSplitter _splitter;
    private readonly Func<string, string>? _normalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly Decoders.Decoder? _decoder;
    private readonly PostProcessor _post;
    private readonly string[] _idToToken;
    private readonly Dictionary<int, AddedToken> _added;

    public HuggingFaceTokenizer(BpeModel model, IReadOnlyList<AddedToken> added, Func<string, string>? normalizer, PreTokenizer? preTokenizer,
        Decoders.Decoder? decoder, PostProcessor post, string kind, SpecialTokenRoles roles)
    {
        _model = model;
        _added = added.GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First());
        _splitter = new AddedTokenSplitter(added);
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _decoder = decoder;
        _post = post;
        Kind = kind;
        var size = Math.Max(model.Vocab.Count == 0 ? 0 : model.Vocab.Values.Max() + 1, added.Count == 0 ? 0 : added.Max(a => a.Id) + 1);
        _idToToken = new string[size];
        foreach (var (tok, id) in model.Vocab) _idToToken[id] = tok;
        foreach (var a in added) _idToToken[a.Id] = a.Content;
        VocabSize = size;
        BosId = roles.Bos is { } b ? TokenToId(b) : roles.BosIdFallback;
        PadId = roles.Pad is { } p ? TokenToId(p) : null;
        EosIds = roles.Eos.Select(TokenToId).OfType<int>().Concat(roles.EosIds).Distinct().ToArray();
    }

    public string Kind { get; }
    public int VocabSize { get; }
    public int? BosId { get; }
    public IReadOnlyList<int> EosIds { get; }
    public int? PadId { get; }

    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        var ids = new List<int>();
        if (addSpecialTokens) ids.AddRange(_post.Prefix);
        var first = true;
        foreach (var (segment, token) in _splitter.Split(text))
        {
            if (token is not null) { ids.Add(token.Id); first = false; continue; }
            var normalized = _normalizer is null ? segment : _normalizer(segment);
            var words = _preTokenizer is null ? [normalized] : _preTokenizer.Split([normalized], first);
            foreach (var w in words) ids.AddRange(_model.Tokenize(w));
            first = false;
        }
        if (addSpecialTokens) ids.AddRange(_post.Suffix);
        return ids.ToArray();
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        // As in the reference, every kept token (added ones included) goes through the decoder chain together.
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (id < 0 || id >= _idToToken.Length || _idToToken[id] is null) continue;
            if (skipSpecialTokens && IsSpecial(id)) continue;
            tokens.Add(_idToToken[id]);
        }
        return string.Concat(_decoder is null ? tokens : _decoder(tokens));
    }

    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;

    public int? TokenToId(string token)
    {
        foreach (var a in _added.Values) if (a.Content == token) return a.Id;
        return _model.Vocab.TryGetValue(token, out var id) ? id : null;
    }

    public bool IsSpecial(int id) => _added.TryGetValue(id, out var a) && a.Special;
}

/// <summary>Which tokens play BOS/EOS/PAD, from tokenizer_config.json, generation_config.json and config.json.</summary>
internal sealed record SpecialTokenRoles(string? Bos, IReadOnlyList<string> Eos, string? Pad, IReadOnlyList<int> EosIds)
{
    /// <summary>config.json's bos_token_id, used when tokenizer_config.json names no BOS token.</summary>
    public int? BosIdFallback { get; init; }

    public static readonly SpecialTokenRoles None = new(null, [], null, []);
}
