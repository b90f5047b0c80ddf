using System.Text;

namespace ModelGate.Core.Tests.Text;

/// <summary>
/// An independent test oracle: llama2.c's own encoder (run.c), written from its description in
/// ../shared/models/README.md — dummy-prefix space, single characters with byte fallback, then repeatedly merge the
/// adjacent pair whose merged piece has the highest score.
/// </summary>
internal sealed class Llama2cReferenceEncoder
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly float[] _scores;

    public Llama2cReferenceEncoder(string tokBin)
    {
        var bytes = File.ReadAllBytes(tokBin);
        var scores = new List<float>();
        var at = 4;
        while (at < bytes.Length)
        {
            scores.Add(BitConverter.ToSingle(bytes, at));
            var len = BitConverter.ToInt32(bytes, at + 4);
            _ids.TryAdd(Encoding.UTF8.GetString(bytes, at + 8, len), scores.Count - 1);
            at += 8 + len;
        }
        _scores = scores.ToArray();
    }

    public List<int> Encode(string text)
    {
        var tokens = new List<int>();
        if (text.Length == 0) return tokens;
        text = " " + text;
        for (var i = 0; i < text.Length; i++)
        {
            var len = char.IsHighSurrogate(text[i]) ? 2 : 1;
            var ch = text.Substring(i, len);
            i += len - 1;
            if (_ids.TryGetValue(ch, out var id)) tokens.Add(id);
            else tokens.AddRange(Encoding.UTF8.GetBytes(ch).Select(b => b + 3));
        }
        while (true)
        {
            float best = float.NegativeInfinity;
            int bestId = -1, bestAt = -1;
            for (var i = 0; i + 1 < tokens.Count; i++)
            {
                var merged = Piece(tokens[i]) + Piece(tokens[i + 1]);
                if (_ids.TryGetValue(merged, out var id) && _scores[id] > best)
                {
                    best = _scores[id];
                    bestId = id;
                    bestAt = i;
                }
            }
            if (bestAt < 0) return tokens;
            tokens[bestAt] = bestId;
            tokens.RemoveAt(bestAt + 1);
        }
    }

    private string Piece(int id) => _ids.First(p => p.Value == id).Key;
}
