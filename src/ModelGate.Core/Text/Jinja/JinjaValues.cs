using System.Globalization;
using System.Text;

namespace ModelGate.Core.Text.Jinja;

/// <summary>Jinja's undefined value: renders empty, is falsy, fails `is defined`.</summary>
internal sealed class Undefined
{
    public static readonly Undefined Instance = new();
    private Undefined() { }
}

/// <summary>The object namespace(...) returns: attributes assignable from inside loops.</summary>
internal sealed class Namespace(Dictionary<string, object?> values)
{
    public Dictionary<string, object?> Values { get; } = values;
}

internal delegate object? JinjaCallable(List<object?> args, Dictionary<string, object?> kwargs);

/// <summary>Python-flavoured conversions, truthiness and equality, as Jinja running on Python renders them.</summary>
internal static class JinjaValues
{
    public static bool Truthy(object? v) => v switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        System.Collections.ICollection c => c.Count > 0,
        _ => true,
    };

    public static string Str(object? v) => v switch
    {
        null => "None",
        Undefined => "",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d == Math.Floor(d) && Math.Abs(d) < 1e16 ? d.ToString("0.0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture),
        _ => Repr(v),
    };

    public static string Repr(object? v) => v switch
    {
        string s => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'").Replace("\n", "\\n") + "'",
        List<object?> l => "[" + string.Join(", ", l.Select(Repr)) + "]",
        Dictionary<string, object?> d => "{" + string.Join(", ", d.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}",
        _ => Str(v),
    };

    public static new bool Equals(object? a, object? b)
    {
        if (a is Undefined) a = null;
        if (b is Undefined) b = null;
        if (a is null || b is null) return a is null && b is null;
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a) == ToDouble(b);
        if (a is List<object?> la && b is List<object?> lb) return la.Count == lb.Count && la.Zip(lb).All(p => Equals(p.First, p.Second));
        return a.Equals(b);
    }

    public static bool IsNumber(object? v) => v is long or double or bool;

    public static double ToDouble(object? v) => v switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new JinjaException($"expected a number, got {Repr(v)}"),
    };

    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a).CompareTo(ToDouble(b));
        if (a is string sa && b is string sb) return string.CompareOrdinal(sa, sb);
        throw new JinjaException($"cannot compare {Repr(a)} and {Repr(b)}");
    }

    public static List<object?> Iterate(object? v) => v switch
    {
        null or Undefined => [],
        List<object?> l => l,
        Dictionary<string, object?> d => d.Keys.Cast<object?>().ToList(),
        string s => s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList(),
        _ => throw new JinjaException($"{Repr(v)} is not iterable"),
    };

    /// <summary>JSON as Python's json.dumps(ensure_ascii=False) writes it: ", " and ": " separators.</summary>
    public static string ToJson(object? v, int? indent = null, int depth = 0)
    {
        string Pad(int d) => indent is null ? "" : "\n" + new string(' ', indent.Value * d);
        var sep = indent is null ? ", " : ",";
        switch (v)
        {
            case null or Undefined: return "null";
            case bool b: return b ? "true" : "false";
            case long or double: return Str(v);
            case string s:
                var sb = new StringBuilder("\"");
                foreach (var c in s)
                {
                    sb.Append(c switch
                    {
                        '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", '\b' => "\\b", '\f' => "\\f",
                        < ' ' => $"\\u{(int)c:x4}",
                        _ => c.ToString(),
                    });
                }
                return sb.Append('"').ToString();
            case List<object?> l:
                if (l.Count == 0) return "[]";
                return "[" + string.Join(sep, l.Select(x => Pad(depth + 1) + ToJson(x, indent, depth + 1))) + Pad(depth) + "]";
            case Dictionary<string, object?> d:
                if (d.Count == 0) return "{}";
                return "{" + string.Join(sep, d.Select(p => Pad(depth + 1) + ToJson(p.Key) + ": " + ToJson(p.Value, indent, depth + 1))) + Pad(depth) + "}";
            default: return ToJson(Str(v));
        }
    }
}
