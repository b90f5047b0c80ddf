using System.Text.Json;
using ModelGate.Core.Text.Bpe;

namespace ModelGate.Core.Text;

/// <summary>Loads a model directory's tokenizer.json (+ tokenizer_config.json, generation_config.json, config.json for token roles).</summary>
public static class TokenizerLoader
{
    public static ITokenizer Load(string modelDir)
    {
        var path = Path.Combine(modelDir, "tokenizer.json");
        if (!File.Exists(path))
            throw new ModelGateException(ErrorKind.InvalidModel, "tokenizer.json is missing (ModelGate needs the Hugging Face fast-tokenizer file)", path);
        using var doc = JsonFiles.Parse(path);
        return FromJson(doc.RootElement, path, ReadRoles(modelDir));
    }

    internal static ITokenizer FromJson(JsonElement root, string file, SpecialTokenRoles roles)
    {
        try
        {
            var model = root.GetProperty("model");
            var type = model.TryGetProperty("type", out var t) ? t.GetString() : "BPE";
            if (type != "BPE")
                throw new ModelGateException(ErrorKind.Unsupported, $"tokenizer model type '{type}' is not supported (supported: BPE, byte-level or SentencePiece-style)", file);

            var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var p in model.GetProperty("vocab").EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();
            var merges = new List<(string, string)>();
            if (model.TryGetProperty("merges", out var m))
                foreach (var merge in m.EnumerateArray())
                    merges.Add(ParseMerge(merge, file));

            var added = new List<AddedToken>();
            if (root.TryGetProperty("added_tokens", out var at) && at.ValueKind == JsonValueKind.Array)
                foreach (var a in at.EnumerateArray())
                    added.Add(new AddedToken(a.GetProperty("id").GetInt32(), a.GetProperty("content").GetString()!,
                        Flag(a, "special"), Flag(a, "lstrip"), Flag(a, "rstrip"), Flag(a, "single_word")));

            var bpe = new BpeModel(vocab, merges,
                model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString() : null,
                Flag(model, "byte_fallback"), Flag(model, "ignore_merges"), Flag(model, "fuse_unk"));
            var normalizer = Normalizers.Parse(Prop(root, "normalizer"), file);
            var pre = PreTokenizer.Parse(Prop(root, "pre_tokenizer"), file);
            var decoder = Decoders.Parse(Prop(root, "decoder"), file);
            int? IdOf(string tok) => added.FirstOrDefault(a => a.Content == tok)?.Id ?? (vocab.TryGetValue(tok, out var id) ? id : null);
            var post = PostProcessor.Parse(Prop(root, "post_processor"), IdOf, file);
            var kind = root.GetRawText().Contains("\"ByteLevel\"", StringComparison.Ordinal) ? "byte-level-bpe" : "sentencepiece-bpe";
            return new HuggingFaceTokenizer(bpe, added, normalizer, pre, decoder, post, kind, roles);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, $"not a valid tokenizer.json ({e.Message})", file, e);
        }
    }

    private static (string, string) ParseMerge(JsonElement merge, string file)
    {
        if (merge.ValueKind == JsonValueKind.Array) return (merge[0].GetString()!, merge[1].GetString()!);
        var s = merge.GetString()!;
        var space = s.IndexOf(' ', 1);
        if (space < 0) throw new ModelGateException(ErrorKind.InvalidModel, $"merge '{s}' is not of the form 'a b'", file);
        return (s[..space], s[(space + 1)..]);
    }

    private static JsonElement Prop(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v : default;

    private static bool Flag(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    /// <summary>BOS/EOS/PAD roles: tokenizer_config.json names them; generation_config.json and config.json may add EOS ids.</summary>
    internal static SpecialTokenRoles ReadRoles(string modelDir)
    {
        string? bos = null, pad = null;
        var eos = new List<string>();
        var eosIds = new List<int>();
        int? bosIdFromConfig = null;
        var tc = Path.Combine(modelDir, "tokenizer_config.json");
        if (File.Exists(tc))
        {
            using var doc = JsonFiles.Parse(tc);
            bos = TokenName(doc.RootElement, "bos_token");
            pad = TokenName(doc.RootElement, "pad_token");
            if (TokenName(doc.RootElement, "eos_token") is { } e) eos.Add(e);
        }
        foreach (var name in new[] { "generation_config.json", "config.json" })
        {
            var p = Path.Combine(modelDir, name);
            if (!File.Exists(p)) continue;
            using var doc = JsonFiles.Parse(p);
            if (doc.RootElement.TryGetProperty("eos_token_id", out var id))
            {
                if (id.ValueKind == JsonValueKind.Number) eosIds.Add(id.GetInt32());
                else if (id.ValueKind == JsonValueKind.Array) eosIds.AddRange(id.EnumerateArray().Select(x => x.GetInt32()));
            }
            if (bosIdFromConfig is null && doc.RootElement.TryGetProperty("bos_token_id", out var b) && b.ValueKind == JsonValueKind.Number)
                bosIdFromConfig = b.GetInt32();
        }
        return new SpecialTokenRoles(bos, eos, pad, eosIds) { BosIdFallback = bosIdFromConfig };
    }

    private static string? TokenName(JsonElement root, string key) => TokenizerLoaderRoles.TokenName(root, key);
}

internal static class TokenizerLoaderRoles
{
    /// <summary>A special token's text in tokenizer_config.json: a string or an AddedToken object.</summary>
    public static string? TokenName(JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString(),
            _ => null,
        };
    }
}
