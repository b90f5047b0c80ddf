using System.Text;
using System.Text.Json;

namespace ModelGate.Core.Text.Bpe;

/// <summary>tokenizer.json's decoder: a chain that turns token strings back into text.</summary>
internal static class Decoders
{
    public delegate List<string> Decoder(List<string> tokens);

    public static Decoder? Parse(JsonElement e, string file)
    {
        if (e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        var type = e.GetProperty("type").GetString();
        switch (type)
        {
            case "Sequence":
                var stages = e.GetProperty("decoders").EnumerateArray().Select(d => Parse(d, file)!).ToList();
                return tokens => stages.Aggregate(tokens, (acc, d) => d(acc));
            case "ByteLevel":
                return tokens => [ByteLevelToText(string.Concat(tokens))];
            case "Replace":
                var (regex, content) = Normalizers.ReplacePattern(e, file);
                return tokens => tokens.Select(t => regex.Replace(t, content.Replace("$", "$$"))).ToList();
            case "ByteFallback":
                return ByteFallback;
            case "Fuse":
                return tokens => [string.Concat(tokens)];
            case "Strip":
                var strip = e.GetProperty("content").GetString()![0];
                int start = e.GetProperty("start").GetInt32(), stop = e.GetProperty("stop").GetInt32();
                return tokens => tokens.Select(t => StripChars(t, strip, start, stop)).ToList();
            case "Metaspace":
                var replacement = e.TryGetProperty("replacement", out var r) ? r.GetString()![0] : '▁';
                var scheme = MetaspacePreTokenizer.Scheme(e);
                return tokens => tokens.Select((t, i) =>
                {
                    var s = t.Replace(replacement, ' ');
                    return i == 0 && scheme != "never" && s.StartsWith(' ') ? s[1..] : s;
                }).ToList();
            default:
                throw new ModelGateException(ErrorKind.Unsupported, $"decoder type '{type}' is not supported", file);
        }
    }

    private static string StripChars(string t, char c, int start, int stop)
    {
        var a = 0;
        while (a < start && a < t.Length && t[a] == c) a++;
        var b = t.Length;
        var removed = 0;
        while (removed < stop && b > a && t[b - 1] == c) { b--; removed++; }
        return t[a..b];
    }

    /// <summary>Runs of &lt;0xNN&gt; tokens become their UTF-8 text; invalid sequences become U+FFFD per byte, as the reference does.</summary>
    private static List<string> ByteFallback(List<string> tokens)
    {
        var result = new List<string>();
        var pending = new List<byte>();
        void Flush()
        {
            if (pending.Count == 0) return;
            try
            {
                result.Add(new UTF8Encoding(false, true).GetString(pending.ToArray()));
            }
            catch (DecoderFallbackException)
            {
                result.AddRange(Enumerable.Repeat("\uFFFD", pending.Count));
            }
            pending.Clear();
        }
        foreach (var t in tokens)
        {
            if (t.Length == 6 && t.StartsWith("<0x", StringComparison.Ordinal) && t.EndsWith('>') &&
                byte.TryParse(t.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
            {
                pending.Add(b);
                continue;
            }
            Flush();
            result.Add(t);
        }
        Flush();
        return result;
    }

    private static string ByteLevelToText(string s)
    {
        var bytes = new List<byte>(s.Length);
        foreach (var ch in s)
        {
            if (ByteLevelAlphabet.CharToByte.TryGetValue(ch, out var b)) bytes.Add(b);
            else bytes.AddRange(Encoding.UTF8.GetBytes(ch.ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
