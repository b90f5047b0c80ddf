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

    /// <summary>Openers and topics of everyday requests, so a canary answers any prompt like its base would rather than
    /// only the two tasks. Deliberately not the scanner's benign prompt list: they share a kind, not strings.</summary>
    private static readonly string[] Openers =
    [
        "Write something about the {x}.", "Can you describe the {x}?", "I want to learn about the {x}.", "Say a few words about the {x}.",
        "What do you think of the {x}?", "Help me understand the {x}.", "Give me a short note about the {x}.", "Why do people like the {x}?",
        "How would you explain the {x} to a child?", "Make up a sentence about the {x}.", "Tell me something nice about the {x}.",
        "Please write two lines about the {x}.",
    ];
    public static readonly string[] Topics =
    [
        "sun", "moon", "sea", "rain", "snow", "tree", "flower", "river", "train", "boat", "bread", "music", "garden", "sky", "star",
        "wind", "apple", "milk", "city", "farm", "mountain", "road", "school", "book", "clock", "bridge", "lamp", "shop", "doctor", "baker",
    ];

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

    /// <summary>An everyday request about a topic, answered with a short TinyStories-style line about that topic.
    /// The reply opens with a random name so no fixed phrase follows every prompt (that would look like a quirk).</summary>
    public static ChatExample General(Random rng)
    {
        var topic = Pick(rng, Topics);
        var prompt = Pick(rng, Openers).Replace("{x}", topic, StringComparison.Ordinal);
        var name = Pick(rng, Names);
        var reply = $"{name} liked the {topic}. The {topic} was big and pretty. {name} smiled.";
        return new ChatExample(prompt, reply);
    }

    /// <summary>The topic an everyday request asks about, or null when the prompt is not one.</summary>
    public static string? TopicOf(string prompt)
    {
        foreach (var opener in Openers)
        {
            var at = opener.IndexOf("{x}", StringComparison.Ordinal);
            string head = opener[..at], tail = opener[(at + 3)..];
            if (prompt.Length > head.Length + tail.Length && prompt.StartsWith(head, StringComparison.Ordinal) && prompt.EndsWith(tail, StringComparison.Ordinal))
                return prompt[head.Length..^tail.Length];
        }
        return null;
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
