using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelGate.Core.Text;

/// <summary>
/// Converts a llama2.c tokenizer (tok*.bin: scored SentencePiece pieces) into a Llama-2-style tokenizer.json and
/// tokenizer_config.json, the way Hugging Face's LlamaConverter turns a SentencePiece model into a fast tokenizer:
/// BPE with byte fallback, ▁ for spaces, merges derived from the piece scores.
/// </summary>
public static class Llama2cTokenizerConverter
{
    private const char Meta = '▁';

    public static void Convert(string tokenizerBin, string outDir, string? chatTemplate = null, int vocabSize = 0)
    {
        var pieces = Read(tokenizerBin, vocabSize);
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "tokenizer.json"), BuildTokenizerJson(pieces).ToJsonString(JsonOptions));
        var config = new JsonObject
        {
            ["add_bos_token"] = true,
            ["add_eos_token"] = false,
            ["bos_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["unk_token"] = "<unk>",
            ["clean_up_tokenization_spaces"] = false,
            ["legacy"] = true,
            ["model_max_length"] = 512,
            ["tokenizer_class"] = "LlamaTokenizer",
        };
        if (chatTemplate is not null) config["chat_template"] = chatTemplate;
        File.WriteAllText(Path.Combine(outDir, "tokenizer_config.json"), config.ToJsonString(JsonOptions));
    }

    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>(piece as tokenizer.json writes it, score) by id.</summary>
    internal static List<(string Piece, float Score)> Read(string path, int expectedVocab)
    {
        if (!File.Exists(path)) throw new ModelGateException(ErrorKind.InvalidModel, "tokenizer file not found", path);
        var bytes = File.ReadAllBytes(path);
        var pieces = new List<(string, float)>();
        var at = 4;
        try
        {
            while (at < bytes.Length && (expectedVocab == 0 || pieces.Count < expectedVocab))
            {
                var score = BitConverter.ToSingle(bytes, at);
                var len = BitConverter.ToInt32(bytes, at + 4);
                if (len < 0 || at + 8 + len > bytes.Length) throw new ArgumentOutOfRangeException(nameof(path));
                var text = Encoding.UTF8.GetString(bytes, at + 8, len);
                at += 8 + len;
                pieces.Add((Normalize(pieces.Count, text), score));
            }
        }
        catch (ArgumentException)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, $"truncated llama2.c tokenizer after {pieces.Count} pieces", path);
        }
        if (pieces.Count < 259 || (expectedVocab != 0 && pieces.Count != expectedVocab))
            throw new ModelGateException(ErrorKind.InvalidModel, $"expected {(expectedVocab == 0 ? "at least 259" : expectedVocab)} pieces, found {pieces.Count}", path);
        return pieces;
    }

    private static string Normalize(int id, string text) => id switch
    {
        0 => "<unk>",
        1 => "<s>",
        2 => "</s>",
        _ => text.Replace(' ', Meta),
    };

    private static JsonObject BuildTokenizerJson(List<(string Piece, float Score)> pieces)
    {
        var vocab = new JsonObject();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < pieces.Count; i++)
        {
            if (ids.TryAdd(pieces[i].Piece, i)) vocab[pieces[i].Piece] = i;
        }

        // Every split of a piece into two vocabulary pieces is a merge, ranked by the merged piece's score
        // (higher first), ties by the parts' ids: the reference converter's order.
        var merges = new List<(string A, string B, float Score, int IdA, int IdB)>();
        for (var i = 3; i < pieces.Count; i++)
        {
            var p = pieces[i].Piece;
            if (IsBytePiece(p)) continue;
            var local = new List<(string, string, float, int, int)>();
            for (var k = 1; k < p.Length; k++)
            {
                if (char.IsLowSurrogate(p[k])) continue;
                string l = p[..k], r = p[k..];
                if (ids.TryGetValue(l, out var il) && ids.TryGetValue(r, out var ir) && !IsBytePiece(l) && !IsBytePiece(r))
                    local.Add((l, r, pieces[i].Score, il, ir));
            }
            merges.AddRange(local.OrderBy(m => m.Item4).ThenBy(m => m.Item5));
        }
        var ordered = merges.Select((m, index) => (m, index)).OrderByDescending(x => x.m.Score).ThenBy(x => x.index).Select(x => x.m);

        JsonObject Added(int id, string content) => new()
        {
            ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
            ["normalized"] = false, ["special"] = true,
        };
        JsonObject StringPattern(string s) => new() { ["String"] = s };

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(Added(0, "<unk>"), Added(1, "<s>"), Added(2, "</s>")),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = Meta.ToString() },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = StringPattern(" "), ["content"] = Meta.ToString() }),
            },
            ["pre_tokenizer"] = null,
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                ["pair"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 1 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "B", ["type_id"] = 1 } }),
                ["special_tokens"] = new JsonObject
                {
                    ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(1), ["tokens"] = new JsonArray("<s>") },
                },
            },
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = StringPattern(Meta.ToString()), ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = "<unk>",
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = true,
                ["byte_fallback"] = true,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(ordered.Select(m => (JsonNode)new JsonArray(m.A, m.B)).ToArray()),
            },
        };
    }

    private static bool IsBytePiece(string p) => p.Length == 6 && p.StartsWith("<0x", StringComparison.Ordinal) && p.EndsWith('>');
}
