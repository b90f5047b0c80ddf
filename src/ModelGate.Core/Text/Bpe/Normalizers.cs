using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ModelGate.Core.Text.Bpe;

/// <summary>tokenizer.json's normalizer, applied to each text segment between added tokens.</summary>
internal static class Normalizers
{
    public static Func<string, string>? Parse(JsonElement e, string file)
    {
        if (e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        var type = e.GetProperty("type").GetString();
        switch (type)
        {
            case "Sequence":
                var stages = e.GetProperty("normalizers").EnumerateArray().Select(n => Parse(n, file)).Where(f => f is not null).ToList();
                return s => stages.Aggregate(s, (acc, f) => f!(acc));
            case "Prepend":
                var prefix = e.GetProperty("prepend").GetString()!;
                return s => s.Length == 0 ? s : prefix + s;
            case "Replace":
                var (regex, content) = ReplacePattern(e, file);
                return s => regex.Replace(s, content.Replace("$", "$$"));
            case "NFC": return s => s.Normalize(NormalizationForm.FormC);
            case "NFD": return s => s.Normalize(NormalizationForm.FormD);
            case "NFKC": return s => s.Normalize(NormalizationForm.FormKC);
            case "NFKD": return s => s.Normalize(NormalizationForm.FormKD);
            case "Lowercase": return s => s.ToLowerInvariant();
            case "Strip":
                bool left = e.GetProperty("strip_left").GetBoolean(), right = e.GetProperty("strip_right").GetBoolean();
                return s => left && right ? s.Trim() : left ? s.TrimStart() : right ? s.TrimEnd() : s;
            default:
                throw new ModelGateException(ErrorKind.Unsupported, $"normalizer type '{type}' is not supported", file);
        }
    }

    internal static (Regex Regex, string Content) ReplacePattern(JsonElement e, string file)
    {
        var pat = e.GetProperty("pattern");
        var content = e.GetProperty("content").GetString()!;
        if (pat.TryGetProperty("String", out var s)) return (new Regex(Regex.Escape(s.GetString()!)), content);
        if (pat.TryGetProperty("Regex", out var r)) return (new Regex(r.GetString()!), content);
        throw new ModelGateException(ErrorKind.InvalidModel, "Replace has no pattern", file);
    }
}
