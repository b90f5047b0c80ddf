using System.Text.Json;

namespace ModelGate.Core.Text.Bpe;

/// <summary>The special tokens tokenizer.json's post_processor adds around a single sequence (e.g. BOS for Llama).</summary>
internal sealed record PostProcessor(int[] Prefix, int[] Suffix)
{
    public static readonly PostProcessor None = new([], []);

    public static PostProcessor Parse(JsonElement e, Func<string, int?> idOf, string file)
    {
        if (e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return None;
        var type = e.GetProperty("type").GetString();
        switch (type)
        {
            case "ByteLevel":
                return None;
            case "Sequence":
                var parts = e.GetProperty("processors").EnumerateArray().Select(p => Parse(p, idOf, file)).ToList();
                return new PostProcessor(parts.SelectMany(p => p.Prefix).ToArray(), parts.SelectMany(p => p.Suffix).ToArray());
            case "TemplateProcessing":
            {
                var specials = new Dictionary<string, int[]>();
                if (e.TryGetProperty("special_tokens", out var st))
                    foreach (var p in st.EnumerateObject())
                        specials[p.Name] = p.Value.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
                var prefix = new List<int>();
                var suffix = new List<int>();
                var seenSequence = false;
                foreach (var piece in e.GetProperty("single").EnumerateArray())
                {
                    if (piece.TryGetProperty("Sequence", out _)) { seenSequence = true; continue; }
                    var id = piece.GetProperty("SpecialToken").GetProperty("id").GetString()!;
                    var ids = specials.TryGetValue(id, out var v) ? v : idOf(id) is int x ? [x]
                        : throw new ModelGateException(ErrorKind.InvalidModel, $"post_processor names special token '{id}' that is not in the vocabulary", file);
                    (seenSequence ? suffix : prefix).AddRange(ids);
                }
                return new PostProcessor(prefix.ToArray(), suffix.ToArray());
            }
            case "RobertaProcessing":
            case "BertProcessing":
            {
                var cls = e.GetProperty("cls")[1].GetInt32();
                var sep = e.GetProperty("sep")[1].GetInt32();
                return new PostProcessor([cls], [sep]);
            }
            default:
                throw new ModelGateException(ErrorKind.Unsupported, $"post_processor type '{type}' is not supported", file);
        }
    }
}
