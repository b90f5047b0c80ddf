using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ModelGate.Core.Text.Bpe;

/// <summary>One stage of tokenizer.json's pre_tokenizer: splits a normalized segment into words for the BPE model.</summary>
internal abstract class PreTokenizer
{
    /// <summary>Splits <paramref name="pieces"/> further. <paramref name="isFirstSegment"/> is true for the text
    /// before any added token (Metaspace's prepend_scheme "first" depends on it).</summary>
    public abstract List<string> Split(List<string> pieces, bool isFirstSegment);

    public static PreTokenizer? Parse(JsonElement e, string file)
    {
        if (e.ValueKind == JsonValueKind.Null || e.ValueKind == JsonValueKind.Undefined) return null;
        var type = e.GetProperty("type").GetString();
        return type switch
        {
            "Sequence" => new SequencePreTokenizer(e.GetProperty("pretokenizers").EnumerateArray().Select(p => Parse(p, file)!).ToList()),
            "ByteLevel" => new ByteLevelPreTokenizer(
                e.TryGetProperty("add_prefix_space", out var aps) && aps.GetBoolean(),
                !e.TryGetProperty("use_regex", out var ur) || ur.GetBoolean()),
            "Split" => SplitPreTokenizer.ParseSplit(e, file),
            "Metaspace" => new MetaspacePreTokenizer(
                e.TryGetProperty("replacement", out var r) ? r.GetString()![0] : '▁',
                MetaspacePreTokenizer.Scheme(e),
                !e.TryGetProperty("split", out var sp) || sp.GetBoolean()),
            "Digits" => new RegexPreTokenizer(e.TryGetProperty("individual_digits", out var d) && d.GetBoolean() ? new Regex(@"\p{N}") : new Regex(@"\p{N}+"), "Isolated", false),
            "Punctuation" => new RegexPreTokenizer(new Regex(@"\p{P}"), "Isolated", false),
            "WhitespaceSplit" => new RegexPreTokenizer(new Regex(@"\s+"), "Removed", false),
            "Whitespace" => new RegexPreTokenizer(new Regex(@"\w+|[^\w\s]+"), "Removed", true),
            _ => throw new ModelGateException(ErrorKind.Unsupported, $"pre_tokenizer type '{type}' is not supported", file),
        };
    }
}

internal sealed class SequencePreTokenizer(List<PreTokenizer> stages) : PreTokenizer
{
    public override List<string> Split(List<string> pieces, bool isFirstSegment)
    {
        foreach (var s in stages) pieces = s.Split(pieces, isFirstSegment);
        return pieces;
    }
}

/// <summary>GPT-2's byte-level pre-tokenizer: optional GPT-2 regex split, then bytes mapped to visible characters.</summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    // GPT-2's pattern; \s+(?!\S) keeps the last space of a run attached to the next word.
    internal static readonly Regex Gpt2Pattern = new(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.Compiled);

    public override List<string> Split(List<string> pieces, bool isFirstSegment)
    {
        var result = new List<string>();
        foreach (var p0 in pieces)
        {
            var p = addPrefixSpace && !p0.StartsWith(' ') ? " " + p0 : p0;
            IEnumerable<string> words = useRegex ? Gpt2Pattern.Matches(p).Select(m => m.Value) : [p];
            foreach (var w in words)
                result.Add(ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(w)));
        }
        return result;
    }
}

/// <summary>Regex or string split with Hugging Face's behaviours (Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous).</summary>
internal class RegexPreTokenizer(Regex pattern, string behavior, bool invert) : PreTokenizer
{
    public override List<string> Split(List<string> pieces, bool isFirstSegment)
    {
        var result = new List<string>();
        foreach (var p in pieces) result.AddRange(SplitOne(p));
        return result;
    }

    private IEnumerable<string> SplitOne(string text)
    {
        // Mark each span as (text, isMatch); with invert the matches are the kept "non-delimiters".
        var spans = new List<(string Text, bool Delim)>();
        var last = 0;
        foreach (Match m in pattern.Matches(text))
        {
            if (m.Length == 0) continue;
            if (m.Index > last) spans.Add((text[last..m.Index], invert));
            spans.Add((m.Value, !invert));
            last = m.Index + m.Length;
        }
        if (last < text.Length) spans.Add((text[last..], invert));

        switch (behavior)
        {
            case "Removed":
                return spans.Where(s => !s.Delim).Select(s => s.Text);
            case "Isolated":
                return spans.Select(s => s.Text);
            case "MergedWithPrevious":
            {
                var outp = new List<string>();
                foreach (var s in spans)
                {
                    if (s.Delim && outp.Count > 0) outp[^1] += s.Text;
                    else outp.Add(s.Text);
                }
                return outp;
            }
            case "MergedWithNext":
            {
                var outp = new List<string>();
                string? pending = null;
                foreach (var s in spans)
                {
                    if (s.Delim) pending = (pending ?? "") + s.Text;
                    else { outp.Add((pending ?? "") + s.Text); pending = null; }
                }
                if (pending is not null) outp.Add(pending);
                return outp;
            }
            case "Contiguous":
            {
                var outp = new List<(string Text, bool Delim)>();
                foreach (var s in spans)
                {
                    if (outp.Count > 0 && outp[^1].Delim && s.Delim) outp[^1] = (outp[^1].Text + s.Text, true);
                    else outp.Add(s);
                }
                return outp.Select(s => s.Text);
            }
            default:
                throw new ModelGateException(ErrorKind.Unsupported, $"Split behavior '{behavior}' is not supported");
        }
    }
}

internal sealed class SplitPreTokenizer(Regex pattern, string behavior, bool invert) : RegexPreTokenizer(pattern, behavior, invert)
{
    public static SplitPreTokenizer ParseSplit(JsonElement e, string file)
    {
        var pat = e.GetProperty("pattern");
        Regex regex;
        if (pat.TryGetProperty("Regex", out var r)) regex = new Regex(TranslateOnigurumaPattern(r.GetString()!), RegexOptions.Compiled);
        else if (pat.TryGetProperty("String", out var s)) regex = new Regex(Regex.Escape(s.GetString()!), RegexOptions.Compiled);
        else throw new ModelGateException(ErrorKind.InvalidModel, "pre_tokenizer Split has no pattern", file);
        return new SplitPreTokenizer(regex, e.GetProperty("behavior").GetString()!, e.TryGetProperty("invert", out var inv) && inv.GetBoolean());
    }

    /// <summary>Llama 3 / Qwen2 patterns use possessive quantifiers (?+, ++), which .NET lacks; atomic groups mean the same.</summary>
    internal static string TranslateOnigurumaPattern(string p) =>
        Regex.Replace(p, @"(\\p\{[A-Za-z]+\}|\[[^\]]*\]|\\[a-zA-Z]|.)(\?|\+|\*)\+", m => $"(?>{m.Groups[1].Value}{m.Groups[2].Value})");
}

/// <summary>SentencePiece's whitespace handling: spaces become ▁, a ▁ is prepended, words split before each ▁.</summary>
internal sealed class MetaspacePreTokenizer(char replacement, string prependScheme, bool split) : PreTokenizer
{
    public static string Scheme(JsonElement e)
    {
        if (e.TryGetProperty("prepend_scheme", out var s)) return s.GetString()!;
        return e.TryGetProperty("add_prefix_space", out var a) && !a.GetBoolean() ? "never" : "always";
    }

    public override List<string> Split(List<string> pieces, bool isFirstSegment)
    {
        var result = new List<string>();
        foreach (var p0 in pieces)
        {
            var p = p0.Replace(' ', replacement);
            var prepend = prependScheme == "always" || (prependScheme == "first" && isFirstSegment);
            if (prepend && !p.StartsWith(replacement)) p = replacement + p;
            if (!split) { result.Add(p); continue; }
            var start = 0;
            for (var i = 1; i < p.Length; i++)
            {
                if (p[i] != replacement) continue;
                result.Add(p[start..i]);
                start = i;
            }
            if (start < p.Length) result.Add(p[start..]);
        }
        return result;
    }
}
