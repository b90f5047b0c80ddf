using System.Text;
using static ModelGate.Core.Text.Jinja.JinjaValues;

namespace ModelGate.Core.Text.Jinja;

/// <summary>Renders a parsed template against variables: the Jinja subset real chat templates use.</summary>
internal sealed class JinjaRenderer
{
    private readonly List<Dictionary<string, object?>> _scopes = [];
    private readonly StringBuilder _out = new();

    private sealed class BreakSignal : Exception;
    private sealed class ContinueSignal : Exception;

    public static string Render(List<Node> template, Dictionary<string, object?> variables)
    {
        var r = new JinjaRenderer();
        r._scopes.Add(Globals());
        r._scopes.Add(new Dictionary<string, object?>(variables));
        r.Exec(template);
        return r._out.ToString();
    }

    private static Dictionary<string, object?> Globals() => new()
    {
        ["raise_exception"] = (JinjaCallable)((a, _) => throw new TemplateRaisedException(a.Count > 0 ? Str(a[0]) : "raise_exception called")),
        ["namespace"] = (JinjaCallable)((_, kw) => new Namespace(new Dictionary<string, object?>(kw))),
        ["range"] = (JinjaCallable)((a, _) =>
        {
            long start = 0, stop, step = 1;
            if (a.Count == 1) stop = (long)ToDouble(a[0]);
            else { start = (long)ToDouble(a[0]); stop = (long)ToDouble(a[1]); if (a.Count > 2) step = (long)ToDouble(a[2]); }
            var l = new List<object?>();
            for (var i = start; step > 0 ? i < stop : i > stop; i += step) l.Add(i);
            return l;
        }),
        // Fixed date, not the clock: the same model and settings must render the same prompts (deterministic scans).
        ["strftime_now"] = (JinjaCallable)((a, _) => new DateTime(2024, 7, 26).ToString(PythonDateFormat(Str(a[0])), System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static string PythonDateFormat(string f) =>
        f.Replace("%d", "dd").Replace("%b", "MMM").Replace("%B", "MMMM").Replace("%Y", "yyyy").Replace("%m", "MM").Replace("%y", "yy");

    private object? Lookup(string name)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
            if (_scopes[i].TryGetValue(name, out var v)) return v;
        return Undefined.Instance;
    }

    private void Exec(List<Node> nodes)
    {
        foreach (var n in nodes) Exec(n);
    }

    private void Exec(Node node)
    {
        switch (node)
        {
            case TextNode t: _out.Append(t.Text); break;
            case OutputNode o: _out.Append(Str(Eval(o.Expr))); break;
            case IfNode i:
                foreach (var (cond, body) in i.Branches)
                    if (Truthy(Eval(cond))) { Exec(body); return; }
                if (i.Else is not null) Exec(i.Else);
                break;
            case ForNode f: ExecFor(f); break;
            case SetNode s:
                var value = Eval(s.Value);
                if (s.Attr is null) _scopes[^1][s.Name] = value;
                else if (Lookup(s.Name) is Namespace ns) ns.Values[s.Attr] = value;
                else throw new JinjaException($"cannot set attribute '{s.Attr}' of {s.Name}");
                break;
            case SetBlockNode sb:
            {
                var saved = _out.Length;
                Exec(sb.Body);
                var captured = _out.ToString(saved, _out.Length - saved);
                _out.Length = saved;
                _scopes[^1][sb.Name] = captured;
                break;
            }
            case MacroNode m: _scopes[^1][m.Name] = MakeMacro(m); break;
            case BreakNode: throw new BreakSignal();
            case ContinueNode: throw new ContinueSignal();
        }
    }

    private JinjaCallable MakeMacro(MacroNode m) => (args, kwargs) =>
    {
        var scope = new Dictionary<string, object?>();
        for (var i = 0; i < m.Params.Count; i++)
        {
            var (name, def) = m.Params[i];
            scope[name] = i < args.Count ? args[i] : kwargs.TryGetValue(name, out var kv) ? kv : def is null ? Undefined.Instance : Eval(def);
        }
        var saved = _out.Length;
        _scopes.Add(scope);
        try { Exec(m.Body); }
        finally { _scopes.RemoveAt(_scopes.Count - 1); }
        var text = _out.ToString(saved, _out.Length - saved);
        _out.Length = saved;
        return text;
    };

    private void ExecFor(ForNode f)
    {
        var items = Iterate(Eval(f.Iter));
        var source = Eval(f.Iter);
        if (source is Dictionary<string, object?> && f.Targets.Count == 2)
            items = ((Dictionary<string, object?>)source).Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList();
        var scope = new Dictionary<string, object?>();
        _scopes.Add(scope);
        try
        {
            if (f.Filter is not null)
            {
                items = items.Where(item => { Bind(scope, f.Targets, item); return Truthy(Eval(f.Filter)); }).ToList();
            }
            if (items.Count == 0 && f.Else is not null) { Exec(f.Else); return; }
            for (var i = 0; i < items.Count; i++)
            {
                Bind(scope, f.Targets, items[i]);
                scope["loop"] = new Dictionary<string, object?>
                {
                    ["index"] = (long)(i + 1), ["index0"] = (long)i, ["first"] = i == 0, ["last"] = i == items.Count - 1,
                    ["length"] = (long)items.Count, ["revindex"] = (long)(items.Count - i), ["revindex0"] = (long)(items.Count - i - 1),
                    ["previtem"] = i > 0 ? items[i - 1] : Undefined.Instance, ["nextitem"] = i + 1 < items.Count ? items[i + 1] : Undefined.Instance,
                };
                try { Exec(f.Body); }
                catch (ContinueSignal) { }
                catch (BreakSignal) { break; }
            }
        }
        finally { _scopes.RemoveAt(_scopes.Count - 1); }
    }

    private static void Bind(Dictionary<string, object?> scope, List<string> targets, object? item)
    {
        if (targets.Count == 1) { scope[targets[0]] = item; return; }
        var parts = Iterate(item);
        for (var k = 0; k < targets.Count; k++) scope[targets[k]] = k < parts.Count ? parts[k] : Undefined.Instance;
    }

    private object? Eval(Expr e)
    {
        switch (e)
        {
            case Literal l: return l.Value;
            case NameExpr n: return Lookup(n.Name);
            case ListExpr l: return l.Items.Select(Eval).ToList();
            case DictExpr d: return d.Items.ToDictionary(p => Str(Eval(p.Key)), p => Eval(p.Value));
            case AttrExpr a: return GetAttr(Eval(a.Target), a.Name);
            case IndexExpr ix: return GetItem(Eval(ix.Target), Eval(ix.Index));
            case SliceExpr s: return Slice(Eval(s.Target), s.Start is null ? null : Eval(s.Start), s.Stop is null ? null : Eval(s.Stop), s.Step is null ? null : Eval(s.Step));
            case CallExpr c: return Call(c);
            case FilterExpr f: return JinjaFilters.Apply(f.Name, Eval(f.Target), f.Args.Select(Eval).ToList(), f.Kwargs.ToDictionary(k => k.Name, k => Eval(k.Value)));
            case TestExpr t:
                var r = JinjaFilters.Test(t.Name, Eval(t.Target), t.Args.Select(Eval).ToList());
                return t.Negated ? !r : r;
            case UnaryExpr u:
                var v = Eval(u.Operand);
                return u.Op == "not" ? !Truthy(v) : v is long lv ? (object)(-lv) : (object)(-ToDouble(v));
            case BinaryExpr b: return Binary(b);
            case CondExpr c: return Truthy(Eval(c.Cond)) ? Eval(c.Then) : c.Else is null ? Undefined.Instance : Eval(c.Else);
            default: throw new JinjaException($"cannot evaluate {e.GetType().Name}");
        }
    }

    private object? Binary(BinaryExpr b)
    {
        if (b.Op == "and") { var l = Eval(b.Left); return Truthy(l) ? Eval(b.Right) : l; }
        if (b.Op == "or") { var l = Eval(b.Left); return Truthy(l) ? l : Eval(b.Right); }
        var a = Eval(b.Left);
        var c = Eval(b.Right);
        switch (b.Op)
        {
            case "==": return JinjaValues.Equals(a, c);
            case "!=": return !JinjaValues.Equals(a, c);
            case "<": return Compare(a, c) < 0;
            case ">": return Compare(a, c) > 0;
            case "<=": return Compare(a, c) <= 0;
            case ">=": return Compare(a, c) >= 0;
            case "~": return Str(a) + Str(c);
            case "in":
                return c switch
                {
                    string s => s.Contains(Str(a), StringComparison.Ordinal),
                    List<object?> l => l.Any(x => JinjaValues.Equals(x, a)),
                    Dictionary<string, object?> d => a is string k && d.ContainsKey(k),
                    Namespace ns => a is string k2 && ns.Values.ContainsKey(k2),
                    _ => false,
                };
            case "+":
                if (a is string sa && c is string sc) return sa + sc;
                if (a is List<object?> la && c is List<object?> lc) return la.Concat(lc).ToList();
                return Arith(a, c, (x, y) => x + y, (x, y) => x + y);
            case "-": return Arith(a, c, (x, y) => x - y, (x, y) => x - y);
            case "*":
                if (a is string rep && c is long times) return string.Concat(Enumerable.Repeat(rep, (int)Math.Max(0, times)));
                return Arith(a, c, (x, y) => x * y, (x, y) => x * y);
            case "/": return ToDouble(a) / ToDouble(c);
            case "//": return a is long x1 && c is long y1 ? (object)(long)Math.Floor((double)x1 / y1) : (object)Math.Floor(ToDouble(a) / ToDouble(c));
            case "%": return a is long x2 && c is long y2 ? (object)(((x2 % y2) + y2) % y2) : (object)(ToDouble(a) % ToDouble(c));
            default: throw new JinjaException($"unknown operator {b.Op}");
        }
    }

    private static object Arith(object? a, object? c, Func<long, long, long> li, Func<double, double, double> d) =>
        a is long x && c is long y ? (object)li(x, y) : (object)d(ToDouble(a), ToDouble(c));

    private object? Call(CallExpr c)
    {
        var args = c.Args.Select(Eval).ToList();
        var kwargs = c.Kwargs.ToDictionary(k => k.Name, k => Eval(k.Value));
        if (c.Target is AttrExpr method)
        {
            var target = Eval(method.Target);
            if (target is not Namespace && !(target is Dictionary<string, object?> dd && dd.ContainsKey(method.Name)))
                return JinjaFilters.Method(target, method.Name, args);
        }
        var fn = Eval(c.Target);
        if (fn is JinjaCallable callable) return callable(args, kwargs);
        throw new JinjaException($"{Repr(fn)} is not callable");
    }

    internal static object? GetAttr(object? target, string name) => target switch
    {
        Dictionary<string, object?> d => d.TryGetValue(name, out var v) ? v : Undefined.Instance,
        Namespace ns => ns.Values.TryGetValue(name, out var v) ? v : Undefined.Instance,
        _ => Undefined.Instance,
    };

    private static object? GetItem(object? target, object? index)
    {
        switch (target)
        {
            case Dictionary<string, object?> d: return index is string k && d.TryGetValue(k, out var v) ? v : Undefined.Instance;
            case Namespace ns: return index is string k2 && ns.Values.TryGetValue(k2, out var v2) ? v2 : Undefined.Instance;
            case List<object?> l:
            {
                var i = (int)ToDouble(index);
                if (i < 0) i += l.Count;
                return i >= 0 && i < l.Count ? l[i] : Undefined.Instance;
            }
            case string s:
            {
                var i = (int)ToDouble(index);
                if (i < 0) i += s.Length;
                return i >= 0 && i < s.Length ? s[i].ToString() : Undefined.Instance;
            }
            default: return Undefined.Instance;
        }
    }

    private static object? Slice(object? target, object? start, object? stop, object? step)
    {
        var items = target is string s ? s.Select(ch => (object?)ch.ToString()).ToList() : Iterate(target);
        var n = items.Count;
        var st = step is null ? 1 : (int)ToDouble(step);
        int Norm(object? v, int def) { if (v is null or Undefined) return def; var i = (int)ToDouble(v); if (i < 0) i += n; return Math.Clamp(i, st > 0 ? 0 : -1, st > 0 ? n : n - 1); }
        var a = Norm(start, st > 0 ? 0 : n - 1);
        var b = Norm(stop, st > 0 ? n : -1);
        var result = new List<object?>();
        for (var i = a; st > 0 ? i < b : i > b; i += st) result.Add(items[i]);
        return target is string ? string.Concat(result.Select(x => (string)x!)) : result;
    }
}
