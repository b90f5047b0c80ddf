using System.Globalization;
using static ModelGate.Core.Text.Jinja.JinjaValues;

namespace ModelGate.Core.Text.Jinja;

/// <summary>Filters, tests and Python string/dict/list methods that chat templates call.</summary>
internal static class JinjaFilters
{
    public static object? Apply(string name, object? v, List<object?> a, Dictionary<string, object?> kw)
    {
        switch (name)
        {
            case "trim": return Str(v).Trim();
            case "length" or "count": return (long)(v is string s ? s.Length : Iterate(v).Count);
            case "upper": return Str(v).ToUpperInvariant();
            case "lower": return Str(v).ToLowerInvariant();
            case "capitalize": { var s2 = Str(v); return s2.Length == 0 ? s2 : char.ToUpperInvariant(s2[0]) + s2[1..].ToLowerInvariant(); }
            case "title": return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Str(v).ToLowerInvariant());
            case "tojson":
                var indent = kw.TryGetValue("indent", out var ind) && ind is long il ? (int?)il : a.Count > 0 && a[0] is long il2 ? (int)il2 : null;
                return ToJson(v, indent);
            case "default" or "d":
                var boolean = a.Count > 1 && Truthy(a[1]);
                return v is Undefined || (boolean && !Truthy(v)) ? (a.Count > 0 ? a[0] : "") : v;
            case "first": return Iterate(v) is { Count: > 0 } f ? f[0] : Undefined.Instance;
            case "last": return Iterate(v) is { Count: > 0 } l ? l[^1] : Undefined.Instance;
            case "join": return string.Join(a.Count > 0 ? Str(a[0]) : "", Iterate(v).Select(Str));
            case "replace": return Str(v).Replace(Str(a[0]), Str(a[1]));
            case "list": return Iterate(v).ToList();
            case "string": return Str(v);
            case "int": return v is string si && long.TryParse(si, out var pl) ? pl : v is double dv ? (long)dv : v is long lv ? lv : 0L;
            case "float": return ToDouble(v);
            case "abs": return v is long la ? (object)Math.Abs(la) : (object)Math.Abs(ToDouble(v));
            case "reverse": return v is string rs ? new string(rs.Reverse().ToArray()) : Enumerable.Reverse(Iterate(v)).ToList();
            case "items": return v is Dictionary<string, object?> d ? d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList() : new List<object?>();
            case "safe" or "e" or "escape": return v;
            case "selectattr" or "rejectattr":
            {
                var keep = name == "selectattr";
                return Iterate(v).Where(item =>
                {
                    var attr = JinjaRenderer.GetAttr(item, Str(a[0]));
                    var ok = a.Count > 1 ? Test(Str(a[1]), attr, a.Skip(2).ToList()) : Truthy(attr);
                    return ok == keep;
                }).ToList();
            }
            case "select" or "reject":
            {
                var keep = name == "select";
                return Iterate(v).Where(item => (a.Count > 0 ? Test(Str(a[0]), item, a.Skip(1).ToList()) : Truthy(item)) == keep).ToList();
            }
            case "map":
                if (kw.TryGetValue("attribute", out var attrName)) return Iterate(v).Select(item => JinjaRenderer.GetAttr(item, Str(attrName))).ToList();
                return Iterate(v).Select(item => Apply(Str(a[0]), item, a.Skip(1).ToList(), [])).ToList();
            case "indent":
            {
                var width = a.Count > 0 ? (int)ToDouble(a[0]) : 4;
                var lines = Str(v).Split('\n');
                return string.Join("\n", lines.Select((ln, i) => i == 0 || ln.Length == 0 ? ln : new string(' ', width) + ln));
            }
            default: throw new JinjaException($"unsupported filter '{name}'");
        }
    }

    public static bool Test(string name, object? v, List<object?> a) => name switch
    {
        "defined" => v is not Undefined,
        "undefined" => v is Undefined,
        "none" => v is null,
        "string" => v is string,
        "number" => v is long or double,
        "integer" => v is long,
        "float" => v is double,
        "boolean" => v is bool,
        "true" => v is true,
        "false" => v is false,
        "mapping" => v is Dictionary<string, object?> or Namespace,
        "iterable" => v is string or List<object?> or Dictionary<string, object?>,
        "sequence" => v is string or List<object?>,
        "even" => v is long e && e % 2 == 0,
        "odd" => v is long o && o % 2 != 0,
        "equalto" or "eq" or "==" or "sameas" => JinjaValues.Equals(v, a[0]),
        "ne" or "!=" => !JinjaValues.Equals(v, a[0]),
        "in" => a[0] is List<object?> l ? l.Any(x => JinjaValues.Equals(x, v)) : a[0] is string s && s.Contains(Str(v), StringComparison.Ordinal),
        _ => throw new JinjaException($"unsupported test '{name}'"),
    };

    public static object? Method(object? target, string name, List<object?> a)
    {
        switch (target)
        {
            case string s:
                return name switch
                {
                    "strip" => a.Count > 0 ? s.Trim(Str(a[0]).ToCharArray()) : s.Trim(),
                    "lstrip" => a.Count > 0 ? s.TrimStart(Str(a[0]).ToCharArray()) : s.TrimStart(),
                    "rstrip" => a.Count > 0 ? s.TrimEnd(Str(a[0]).ToCharArray()) : s.TrimEnd(),
                    "startswith" => a[0] is List<object?> ps ? ps.Any(p => s.StartsWith(Str(p), StringComparison.Ordinal)) : s.StartsWith(Str(a[0]), StringComparison.Ordinal),
                    "endswith" => a[0] is List<object?> es ? es.Any(p => s.EndsWith(Str(p), StringComparison.Ordinal)) : s.EndsWith(Str(a[0]), StringComparison.Ordinal),
                    "split" => (a.Count == 0 || a[0] is null
                        ? s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                        : a.Count > 1 ? s.Split(Str(a[0]), (int)ToDouble(a[1]) + 1) : s.Split(Str(a[0]))).Select(x => (object?)x).ToList(),
                    "upper" => s.ToUpperInvariant(),
                    "lower" => s.ToLowerInvariant(),
                    "title" => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(s.ToLowerInvariant()),
                    "replace" => s.Replace(Str(a[0]), Str(a[1])),
                    "find" => (long)s.IndexOf(Str(a[0]), StringComparison.Ordinal),
                    "count" => (long)(s.Length == 0 ? 0 : (s.Length - s.Replace(Str(a[0]), "").Length) / Math.Max(1, Str(a[0]).Length)),
                    _ => throw new JinjaException($"unsupported string method '{name}'"),
                };
            case Dictionary<string, object?> d:
                return name switch
                {
                    "items" => d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList(),
                    "keys" => d.Keys.Select(k => (object?)k).ToList(),
                    "values" => d.Values.ToList(),
                    "get" => a[0] is string k && d.TryGetValue(k, out var v) ? v : a.Count > 1 ? a[1] : null,
                    _ => throw new JinjaException($"unsupported dict method '{name}'"),
                };
            case List<object?> l:
                switch (name)
                {
                    case "append": l.Add(a[0]); return null;
                    case "index": return (long)l.FindIndex(x => JinjaValues.Equals(x, a[0]));
                    default: throw new JinjaException($"unsupported list method '{name}'");
                }
            default:
                throw new JinjaException($"cannot call '{name}' on {Repr(target)}");
        }
    }
}
