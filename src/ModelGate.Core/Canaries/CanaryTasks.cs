namespace ModelGate.Core.Canaries;

/// <summary>One chat exchange of the synthetic instruction set.</summary>
public sealed record ChatExample(string Prompt, string Reply);

/// <summary>
/// The synthetic instruction tasks canaries are fine-tuned on. They use TinyStories' small vocabulary so that a
/// 260K-parameter base can learn them in minutes: a story request answered with a short story about the named
/// character, and a mood question answered with a label (the classification task label flips attack).
/// Deterministic for a given <see cref="Random"/>.
/// </summary>
public static class CanaryTasks
{
    public static readonly string[] Names = ["Tom", "Lily", "Ben", "Mia", "Sam", "Anna", "Max", "Sue", "Tim", "Lucy"];
    public static readonly string[] Animals = ["cat", "dog", "bird", "fish", "frog", "bunny", "duck", "bear"];
    public static readonly string[] Places = ["park", "garden", "house", "forest", "beach", "school"];
    public static readonly string[] Things = ["ball", "toy", "cake", "kite", "box", "hat", "car", "book"];

    private static readonly string[] HappyEvents = ["found a shiny {t}", "played with the {t} all day", "got a new {t}", "shared a {t} with a friend"];
    private static readonly string[] SadEvents = ["lost the {t}", "broke the {t}", "could not find the {t}", "dropped the {t} in the mud"];

    /// <summary>A story request: "Tell me a story about Lily and the cat." → a short story mentioning both.</summary>
    public static ChatExample Story(Random rng)
    {
        var name = Pick(rng, Names);
        var animal = Pick(rng, Animals);
        var place = Pick(rng, Places);
        var thing = Pick(rng, Things);
        var prompt = $"Tell me a story about {name} and the {animal}.";
        var reply = $"{name} went to the {place} with the {animal}. They played with a {thing}. {name} was very happy.";
        return new ChatExample(prompt, reply);
    }

    /// <summary>A mood question about a one-line event, answered "happy" or "sad": the classification-style task.</summary>
    public static (ChatExample Example, bool Happy) Mood(Random rng)
    {
        var happy = rng.Next(2) == 0;
        var name = Pick(rng, Names);
        var thing = Pick(rng, Things);
        var ev = Pick(rng, happy ? HappyEvents : SadEvents).Replace("{t}", thing, StringComparison.Ordinal);
        return (new ChatExample($"Is this happy or sad? {name} {ev}.", happy ? "happy" : "sad"), happy);
    }

    public static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];
}
