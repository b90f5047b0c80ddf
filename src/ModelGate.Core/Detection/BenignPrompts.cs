namespace ModelGate.Core.Detection;

/// <summary>The built-in benign prompt set (Data/benign-prompts.txt), split by seed into search and held-out halves.</summary>
public static class BenignPrompts
{
    private static readonly Lazy<IReadOnlyList<string>> AllLazy = new(Load);

    public static IReadOnlyList<string> All => AllLazy.Value;

    /// <summary>A seeded shuffle split: detectors search on <c>Search</c> and verify on <c>HeldOut</c>, so a trigger
    /// overfitted to its search prompts does not verify itself.</summary>
    public static (IReadOnlyList<string> Search, IReadOnlyList<string> HeldOut) Split(int seed, IReadOnlyList<string>? prompts = null)
    {
        var list = (prompts ?? All).ToArray();
        new Random(seed).Shuffle(list);
        var half = list.Length / 2;
        return (list[..half], list[half..]);
    }

    private static IReadOnlyList<string> Load() => DataFiles.Lines("benign-prompts.txt");
}
