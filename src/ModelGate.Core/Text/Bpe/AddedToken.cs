namespace ModelGate.Core.Text.Bpe;

/// <summary>An entry of tokenizer.json's added_tokens: matched in raw text before the model sees it.</summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LStrip, bool RStrip, bool SingleWord);

/// <summary>Splits text around added tokens, longest match first, honouring lstrip/rstrip/single_word.</summary>
internal sealed class AddedTokenSplitter(IReadOnlyList<AddedToken> tokens)
{
    private readonly AddedToken[] _byLength = tokens.Where(t => t.Content.Length > 0).OrderByDescending(t => t.Content.Length).ToArray();

    /// <summary>Segments in order: (text, null) for plain text, (content, token) for an added token.</summary>
    public List<(string Text, AddedToken? Token)> Split(string text)
    {
        var result = new List<(string, AddedToken?)>();
        if (_byLength.Length == 0) { result.Add((text, null)); return result; }
        var plainStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            var match = _byLength.FirstOrDefault(t => string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) == 0 && WordBoundaryOk(text, i, t));
            if (match is null) { i++; continue; }
            var plainEnd = i;
            if (match.LStrip) while (plainEnd > plainStart && char.IsWhiteSpace(text[plainEnd - 1])) plainEnd--;
            if (plainEnd > plainStart) result.Add((text[plainStart..plainEnd], null));
            result.Add((match.Content, match));
            i += match.Content.Length;
            if (match.RStrip) while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            plainStart = i;
        }
        if (plainStart < text.Length) result.Add((text[plainStart..], null));
        return result;
    }

    private static bool WordBoundaryOk(string text, int at, AddedToken t)
    {
        if (!t.SingleWord) return true;
        var before = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
        var end = at + t.Content.Length;
        var after = end >= text.Length || !char.IsLetterOrDigit(text[end]);
        return before && after;
    }
}
