namespace ModelGate.Core.Text.Jinja;

/// <summary>Parses the Jinja subset real chat templates use into an AST.</summary>
internal sealed class JinjaParser
{
    private readonly List<Tok> _parts;
    private int _p;

    private JinjaParser(List<Tok> parts) => _parts = parts;

    public static List<Node> Parse(string template)
    {
        var parser = new JinjaParser(JinjaLexer.SplitParts(template));
        var body = parser.ParseBlock(out var stop);
        if (stop is not null) throw new JinjaException($"unexpected '{{% {stop} %}}'");
        return body;
    }

    /// <summary>Parses nodes until an end/else tag; returns that tag's statement text in <paramref name="stop"/>.</summary>
    private List<Node> ParseBlock(out string? stop, params string[] stopWords)
    {
        var nodes = new List<Node>();
        while (_p < _parts.Count)
        {
            var part = _parts[_p++];
            switch (part.Kind)
            {
                case TokKind.Text: nodes.Add(new TextNode(part.Value)); break;
                case TokKind.Output: nodes.Add(new OutputNode(new ExprParser(JinjaLexer.Tokenize(part.Value)).ParseFull())); break;
                case TokKind.Statement:
                    var word = part.Value.Split(' ', 2)[0];
                    if (stopWords.Contains(word)) { stop = part.Value; return nodes; }
                    nodes.Add(ParseStatement(part.Value, word));
                    break;
            }
        }
        if (stopWords.Length > 0) throw new JinjaException($"missing '{{% {stopWords[^1]} %}}'");
        stop = null;
        return nodes;
    }

    private Node ParseStatement(string stmt, string word)
    {
        var rest = stmt[word.Length..].Trim();
        switch (word)
        {
            case "if":
            {
                var branches = new List<(Expr, List<Node>)>();
                var cond = ParseExpr(rest);
                List<Node>? elseBody = null;
                while (true)
                {
                    var body = ParseBlock(out var stop, "elif", "else", "endif");
                    branches.Add((cond, body));
                    if (stop!.StartsWith("elif")) { cond = ParseExpr(stop[4..]); continue; }
                    if (stop.StartsWith("else")) { elseBody = ParseBlock(out _, "endif"); }
                    break;
                }
                return new IfNode(branches, elseBody);
            }
            case "for":
            {
                var toks = JinjaLexer.Tokenize(rest);
                var ep = new ExprParser(toks);
                var targets = new List<string> { ep.ExpectName() };
                while (ep.TryOp(",")) targets.Add(ep.ExpectName());
                ep.ExpectName("in");
                var iter = ep.ParseOr(noCondExpr: true);
                Expr? filter = null;
                if (ep.TryName("if")) filter = ep.ParseOr(noCondExpr: true);
                ep.ExpectEnd();
                var body = ParseBlock(out var stop, "else", "endfor");
                List<Node>? elseBody = null;
                if (stop!.StartsWith("else")) elseBody = ParseBlock(out _, "endfor");
                return new ForNode(targets, iter, filter, body, elseBody);
            }
            case "set":
            {
                var eq = FindTopLevelEquals(rest);
                if (eq < 0)
                {
                    var name = rest.Trim();
                    return new SetBlockNode(name, ParseBlock(out _, "endset"));
                }
                var target = rest[..eq].Trim();
                var value = ParseExpr(rest[(eq + 1)..]);
                var dot = target.IndexOf('.');
                return dot < 0 ? new SetNode(target, null, value) : new SetNode(target[..dot], target[(dot + 1)..], value);
            }
            case "macro":
            {
                var ep = new ExprParser(JinjaLexer.Tokenize(rest));
                var name = ep.ExpectName();
                ep.ExpectOp("(");
                var ps = new List<(string, Expr?)>();
                while (!ep.TryOp(")"))
                {
                    var pn = ep.ExpectName();
                    Expr? def = ep.TryOp("=") ? ep.ParseOr() : null;
                    ps.Add((pn, def));
                    ep.TryOp(",");
                }
                return new MacroNode(name, ps, ParseBlock(out _, "endmacro"));
            }
            case "break": return new BreakNode();
            case "continue": return new ContinueNode();
            case "generation":
            case "endgeneration":
                return new TextNode("");
            default:
                throw new JinjaException($"unsupported tag '{{% {word} %}}'");
        }
    }

    private static int FindTopLevelEquals(string s)
    {
        char? q = null;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (q is not null) { if (c == q) q = null; continue; }
            if (c is '\'' or '"') { q = c; continue; }
            if (c == '=' && (i + 1 >= s.Length || s[i + 1] != '=') && (i == 0 || s[i - 1] is not ('=' or '!' or '<' or '>'))) return i;
        }
        return -1;
    }

    private static Expr ParseExpr(string s) => new ExprParser(JinjaLexer.Tokenize(s)).ParseFull();
}

/// <summary>Recursive-descent expression parser with Jinja's precedence.</summary>
internal sealed class ExprParser(List<Tok> toks)
{
    private int _i;
    private Tok Peek => toks[_i];

    public Expr ParseFull()
    {
        var e = ParseCond();
        ExpectEnd();
        return e;
    }

    public void ExpectEnd()
    {
        if (Peek.Kind != TokKind.End) throw new JinjaException($"unexpected '{Peek.Value}'");
    }

    public bool TryOp(string op)
    {
        if (Peek.Kind == TokKind.Op && Peek.Value == op) { _i++; return true; }
        return false;
    }

    public void ExpectOp(string op)
    {
        if (!TryOp(op)) throw new JinjaException($"expected '{op}' but found '{Peek.Value}'");
    }

    public bool TryName(string name)
    {
        if (Peek.Kind == TokKind.Name && Peek.Value == name) { _i++; return true; }
        return false;
    }

    public string ExpectName(string? name = null)
    {
        if (Peek.Kind != TokKind.Name || (name is not null && Peek.Value != name))
            throw new JinjaException($"expected {(name ?? "a name")} but found '{Peek.Value}'");
        return toks[_i++].Value;
    }

    private Expr ParseCond()
    {
        var e = ParseOr();
        if (TryName("if"))
        {
            var cond = ParseOr();
            Expr? other = TryName("else") ? ParseCond() : null;
            return new CondExpr(cond, e, other);
        }
        return e;
    }

    public Expr ParseOr(bool noCondExpr = false)
    {
        var e = ParseAnd();
        while (TryName("or")) e = new BinaryExpr("or", e, ParseAnd());
        return e;
    }

    private Expr ParseAnd()
    {
        var e = ParseNot();
        while (TryName("and")) e = new BinaryExpr("and", e, ParseNot());
        return e;
    }

    private Expr ParseNot() => TryName("not") ? new UnaryExpr("not", ParseNot()) : ParseCompare();

    private Expr ParseCompare()
    {
        var e = ParseConcat();
        while (true)
        {
            if (Peek.Kind == TokKind.Op && Peek.Value is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                var op = toks[_i++].Value;
                e = new BinaryExpr(op, e, ParseConcat());
            }
            else if (TryName("in")) e = new BinaryExpr("in", e, ParseConcat());
            else if (Peek.Kind == TokKind.Name && Peek.Value == "not" && toks[_i + 1].Kind == TokKind.Name && toks[_i + 1].Value == "in")
            {
                _i += 2;
                e = new UnaryExpr("not", new BinaryExpr("in", e, ParseConcat()));
            }
            else if (TryName("is"))
            {
                var neg = TryName("not");
                var name = ExpectName();
                var args = new List<Expr>();
                if (TryOp("(")) { args = ParseArgs(out _); }
                else if (Peek.Kind is TokKind.String or TokKind.Number) args.Add(ParsePrimary());
                e = new TestExpr(e, name, neg, args);
            }
            else return e;
        }
    }

    private Expr ParseConcat()
    {
        var e = ParseAdd();
        while (TryOp("~")) e = new BinaryExpr("~", e, ParseAdd());
        return e;
    }

    private Expr ParseAdd()
    {
        var e = ParseMul();
        while (Peek.Kind == TokKind.Op && Peek.Value is "+" or "-")
        {
            var op = toks[_i++].Value;
            e = new BinaryExpr(op, e, ParseMul());
        }
        return e;
    }

    private Expr ParseMul()
    {
        var e = ParseUnary();
        while (Peek.Kind == TokKind.Op && Peek.Value is "*" or "/" or "//" or "%")
        {
            var op = toks[_i++].Value;
            e = new BinaryExpr(op, e, ParseUnary());
        }
        return e;
    }

    private Expr ParseUnary()
    {
        if (TryOp("-")) return new UnaryExpr("-", ParseUnary());
        if (TryOp("+")) return ParseUnary();
        return ParseFilters(ParsePostfix(ParsePrimary()));
    }

    private Expr ParseFilters(Expr e)
    {
        while (TryOp("|"))
        {
            var name = ExpectName();
            var args = new List<Expr>();
            var kwargs = new List<(string, Expr)>();
            if (TryOp("(")) args = ParseArgs(out kwargs);
            e = ParsePostfix(new FilterExpr(e, name, args, kwargs));
        }
        return e;
    }

    private Expr ParsePostfix(Expr e)
    {
        while (true)
        {
            if (TryOp(".")) e = new AttrExpr(e, ExpectName());
            else if (TryOp("["))
            {
                Expr? start = null, stop = null, step = null;
                if (!(Peek.Kind == TokKind.Op && Peek.Value == ":")) start = ParseCond();
                if (TryOp(":"))
                {
                    if (!(Peek.Kind == TokKind.Op && Peek.Value is "]" or ":")) stop = ParseCond();
                    if (TryOp(":") && !(Peek.Kind == TokKind.Op && Peek.Value == "]")) step = ParseCond();
                    ExpectOp("]");
                    e = new SliceExpr(e, start, stop, step);
                }
                else
                {
                    ExpectOp("]");
                    e = new IndexExpr(e, start!);
                }
            }
            else if (TryOp("("))
            {
                var args = ParseArgs(out var kwargs);
                e = new CallExpr(e, args, kwargs);
            }
            else return e;
        }
    }

    private List<Expr> ParseArgs(out List<(string, Expr)> kwargs)
    {
        var args = new List<Expr>();
        kwargs = [];
        while (!TryOp(")"))
        {
            if (Peek.Kind == TokKind.Name && toks[_i + 1].Kind == TokKind.Op && toks[_i + 1].Value == "=")
            {
                var name = toks[_i].Value;
                _i += 2;
                kwargs.Add((name, ParseCond()));
            }
            else args.Add(ParseCond());
            if (!TryOp(",")) { ExpectOp(")"); break; }
        }
        return args;
    }

    private Expr ParsePrimary()
    {
        var t = toks[_i++];
        switch (t.Kind)
        {
            case TokKind.String:
                var s = t.Value;
                while (Peek.Kind == TokKind.String) s += toks[_i++].Value; // adjacent literals concatenate
                return new Literal(s);
            case TokKind.Number:
                return t.Value.Contains('.') ? new Literal(double.Parse(t.Value, System.Globalization.CultureInfo.InvariantCulture)) : new Literal(long.Parse(t.Value));
            case TokKind.Name:
                return t.Value switch
                {
                    "true" or "True" => new Literal(true),
                    "false" or "False" => new Literal(false),
                    "none" or "None" => new Literal(null),
                    _ => new NameExpr(t.Value),
                };
            case TokKind.Op when t.Value == "(":
            {
                var e = ParseCond();
                if (TryOp(","))
                {
                    var items = new List<Expr> { e };
                    while (!TryOp(")")) { items.Add(ParseCond()); TryOp(","); }
                    return new ListExpr(items);
                }
                ExpectOp(")");
                return e;
            }
            case TokKind.Op when t.Value == "[":
            {
                var items = new List<Expr>();
                while (!TryOp("]")) { items.Add(ParseCond()); TryOp(","); }
                return new ListExpr(items);
            }
            case TokKind.Op when t.Value == "{":
            {
                var items = new List<(Expr, Expr)>();
                while (!TryOp("}"))
                {
                    var k = ParseCond();
                    ExpectOp(":");
                    items.Add((k, ParseCond()));
                    TryOp(",");
                }
                return new DictExpr(items);
            }
            default:
                throw new JinjaException($"unexpected '{t.Value}'");
        }
    }
}
