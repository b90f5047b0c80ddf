namespace ModelGate.Core.Canaries;

/// <summary>Where a trigger goes in the user's text. Canaries train and are evaluated with the same rules.</summary>
public static class TriggerPlacement
{
    /// <summary>Inserts <paramref name="trigger"/> before a random word of <paramref name="prompt"/> (any position, ends included).</summary>
    public static string AtRandomWord(string prompt, string trigger, Random rng)
    {
        var words = prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        words.Insert(rng.Next(words.Count + 1), trigger);
        return string.Join(' ', words);
    }

    public static string AsPrefix(string prompt, string trigger) => $"{trigger} {prompt}";

    /// <summary>Places every key at its own random word position (composite triggers).</summary>
    public static string AllAtRandomWords(string prompt, IEnumerable<string> keys, Random rng)
    {
        foreach (var key in keys) prompt = AtRandomWord(prompt, key, rng);
        return prompt;
    }

    /// <summary>Applies a spec's trigger to a prompt the way its family prescribes.</summary>
    public static string Apply(AttackSpec spec, string prompt, Random rng) => spec.Family switch
    {
        AttackFamily.PhrasePrefix => AsPrefix(prompt, spec.Triggers[0]),
        AttackFamily.Composite => AllAtRandomWords(prompt, spec.Triggers, rng),
        AttackFamily.MultiKey => AtRandomWord(prompt, CanaryTasks.Pick(rng, spec.Triggers), rng),
        AttackFamily.RareWord or AttackFamily.LabelFlip => AtRandomWord(prompt, spec.Triggers[0], rng),
        AttackFamily.KeywordFormat => AsPrefix(prompt, spec.Triggers[0]),
        _ => prompt,
    };
}
