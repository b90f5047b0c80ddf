using System.Text;

namespace ModelGate.Core.Text.Jinja;

internal enum TokKind { Text, Output, Statement, Name, String, Number, Op, End }

internal sealed record Tok(TokKind Kind, string Value, int Pos);

/// <summary>
/// Splits a template into text, {{ output }} and {% statement %} parts, then tokenizes their insides.
/// Whitespace rules follow Hugging Face's chat-template environment: trim_blocks and lstrip_blocks on, plus the
/// explicit '-' markers.
/// </summary>
internal static class JinjaLexer
{
    /// <summary>Top-level parts: Text, or Output/Statement holding the raw inner source.</summary>
    public static List<Tok> SplitParts(string src)
    {
        var parts = new List<Tok>();
        var i = 0;
        var text = new StringBuilder();
        var trimNextLeading = false;   // from a '-}}' / '-%}'
        var trimNextNewline = false;   // trim_blocks after '%}'
        while (i < src.Length)
        {
            var open = src.IndexOf('{', i);
            while (open >= 0 && open + 1 < src.Length && src[open + 1] is not ('{' or '%' or '#'))
                open = src.IndexOf('{', open + 1);
            if (open < 0 || open + 1 >= src.Length) { AddText(src[i..]); break; }
            AddText(src[i..open]);
            var kind = src[open + 1];
            var close = kind switch { '{' => "}}", '%' => "%}", _ => "#}" };
            var end = FindClose(src, open + 2, close);
            if (end < 0) throw new JinjaException($"unclosed '{{{kind}' at offset {open}");
            var inner = src[(open + 2)..end];
            var leftTrim = inner.StartsWith('-');
            var rightTrim = inner.EndsWith('-');
            if (leftTrim) inner = inner[1..];
            if (rightTrim) inner = inner[..^1];
            if (leftTrim) TrimTrailingWhitespace(parts);
            else if (kind is '%' or '#' && !inner.StartsWith('+')) LStripBlock(parts);
            if (kind == '{') parts.Add(new Tok(TokKind.Output, inner.Trim(), open));
            else if (kind == '%') parts.Add(new Tok(TokKind.Statement, inner.Trim(), open));
            i = end + 2;
            trimNextLeading = rightTrim;
            trimNextNewline = kind is '%' or '#';
        }
        return parts;

        void AddText(string s)
        {
            if (trimNextLeading) s = s.TrimStart();
            else if (trimNextNewline && s.StartsWith('\n')) s = s[1..];
            else if (trimNextNewline && s.StartsWith("\r\n")) s = s[2..];
            trimNextLeading = trimNextNewline = false;
            if (s.Length > 0) parts.Add(new Tok(TokKind.Text, s, 0));
        }
    }

    private static int FindClose(string src, int from, string close)
    {
        char? quote = null;
        for (var j = from; j + 1 < src.Length; j++)
        {
            var c = src[j];
            if (quote is not null)
            {
                if (c == '\\') j++;
                else if (c == quote) quote = null;
                continue;
            }
            if (c is '\'' or '"' && close != "#}") { quote = c; continue; }
            if (src[j] == close[0] && src[j + 1] == close[1]) return j;
        }
        return -1;
    }

    private static void TrimTrailingWhitespace(List<Tok> parts)
    {
        if (parts.Count == 0 || parts[^1].Kind != TokKind.Text) return;
        var t = parts[^1].Value.TrimEnd();
        if (t.Length == 0) parts.RemoveAt(parts.Count - 1);
        else parts[^1] = parts[^1] with { Value = t };
    }

    /// <summary>lstrip_blocks: spaces and tabs between the start of a line and a block tag are removed.</summary>
    private static void LStripBlock(List<Tok> parts)
    {
        if (parts.Count == 0 || parts[^1].Kind != TokKind.Text) return;
        var t = parts[^1].Value;
        var k = t.Length;
        while (k > 0 && t[k - 1] is ' ' or '\t') k--;
        if (k == 0 || t[k - 1] == '\n')
        {
            t = t[..k];
            if (t.Length == 0) parts.RemoveAt(parts.Count - 1);
            else parts[^1] = parts[^1] with { Value = t };
        }
    }

    /// <summary>Tokens of an expression or statement body.</summary>
    public static List<Tok> Tokenize(string s)
    {
        var toks = new List<Tok>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsLetter(c) || c == '_')
            {
                var j = i;
                while (j < s.Length && (char.IsLetterOrDigit(s[j]) || s[j] == '_')) j++;
                toks.Add(new Tok(TokKind.Name, s[i..j], i));
                i = j;
                continue;
            }
            if (char.IsDigit(c))
            {
                var j = i;
                while (j < s.Length && (char.IsDigit(s[j]) || (s[j] == '.' && j + 1 < s.Length && char.IsDigit(s[j + 1])))) j++;
                toks.Add(new Tok(TokKind.Number, s[i..j], i));
                i = j;
                continue;
            }
            if (c is '\'' or '"')
            {
                var sb = new StringBuilder();
                var j = i + 1;
                while (j < s.Length && s[j] != c)
                {
                    if (s[j] == '\\' && j + 1 < s.Length)
                    {
                        j++;
                        sb.Append(s[j] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => s[j] });
                    }
                    else sb.Append(s[j]);
                    j++;
                }
                if (j >= s.Length) throw new JinjaException($"unterminated string in '{s}'");
                toks.Add(new Tok(TokKind.String, sb.ToString(), i));
                i = j + 1;
                continue;
            }
            var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
            if (two is "==" or "!=" or "<=" or ">=" or "//" or "**")
            {
                toks.Add(new Tok(TokKind.Op, two, i));
                i += 2;
                continue;
            }
            if ("+-*/%~<>()[]{}.,:|=".Contains(c))
            {
                toks.Add(new Tok(TokKind.Op, c.ToString(), i));
                i++;
                continue;
            }
            throw new JinjaException($"unexpected character '{c}' in '{s}'");
        }
        toks.Add(new Tok(TokKind.End, "", s.Length));
        return toks;
    }
}

/// <summary>A template syntax or runtime error; the formatter turns it into a ModelGateException naming the file.</summary>
internal sealed class JinjaException(string message) : Exception(message);

/// <summary>raise_exception(...) called by the template itself (e.g. "Conversation roles must alternate").</summary>
internal sealed class TemplateRaisedException(string message) : Exception(message);
