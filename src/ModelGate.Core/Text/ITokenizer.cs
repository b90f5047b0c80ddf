namespace ModelGate.Core.Text;

/// <summary>
/// A tokenizer loaded from a model's tokenizer.json (plus tokenizer_config.json for special-token roles).
/// Implementations must agree exactly with Hugging Face's tokenizers on encode and decode.
/// </summary>
public interface ITokenizer
{
    /// <summary>"byte-level-bpe" or "sentencepiece-bpe" (for reports and `inspect`).</summary>
    string Kind { get; }

    int VocabSize { get; }

    /// <summary>Beginning-of-sequence id, or null when the model has none (GPT-2 uses none by default).</summary>
    int? BosId { get; }

    /// <summary>All ids that end generation (eos_token plus generation_config's eos_token_id list).</summary>
    IReadOnlyList<int> EosIds { get; }

    int? PadId { get; }

    /// <summary>Encodes text. With <paramref name="addSpecialTokens"/> the post-processor's tokens (e.g. BOS) are added.
    /// Special/added tokens written inside the text are always recognised as single tokens.</summary>
    int[] Encode(string text, bool addSpecialTokens = false);

    /// <summary>Decodes ids to text, optionally dropping special tokens.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true);

    /// <summary>The vocabulary string of one id (raw piece, e.g. "Ġthe" or "▁the"), or null if out of range.</summary>
    string? IdToToken(int id);

    int? TokenToId(string token);

    /// <summary>True for special tokens (BOS, EOS, PAD, added special tokens).</summary>
    bool IsSpecial(int id);
}
