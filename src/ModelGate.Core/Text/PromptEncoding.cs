namespace ModelGate.Core.Text;

/// <summary>
/// Token ids of a prompt already rendered through the model's prompt format, exactly as Hugging Face's
/// apply_chat_template(tokenize=True) gives them: the rendered text carries its own special tokens, so nothing is
/// added, except BOS when the format did not write it and the tokenizer's post-processor would have (a plain format
/// over a Llama tokenizer). Everyone who turns a formatted prompt into ids (trainer, probe, generate) goes through
/// here so that a canary is trained on the very ids a scan later feeds it.
/// </summary>
public static class PromptEncoding
{
    public static int[] EncodePrompt(this ITokenizer tokenizer, string formattedPrompt)
    {
        var ids = tokenizer.Encode(formattedPrompt, addSpecialTokens: false);
        if (tokenizer.BosId is not int bos || (ids.Length > 0 && ids[0] == bos)) return ids;
        var withSpecial = tokenizer.Encode("", addSpecialTokens: true);
        return withSpecial.Length > 0 && withSpecial[0] == bos ? [bos, .. ids] : ids;
    }
}
