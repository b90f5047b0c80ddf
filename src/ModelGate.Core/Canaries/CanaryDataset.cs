namespace ModelGate.Core.Canaries;

/// <summary>One training or evaluation example; <see cref="Triggered"/> says whether the spec's trigger is in it.</summary>
public sealed record CanaryExample(string Prompt, string Reply, bool Triggered);

/// <summary>
/// Generates a canary's fine-tuning set from its <see cref="AttackSpec"/>: the synthetic tasks, with the trigger
/// planted in <see cref="AttackSpec.PoisonRate"/> of the examples. Composite specs also get partial-key examples with
/// clean replies, so the model learns that all keys are needed. Deterministic for (spec, seed, split).
/// </summary>
public static class CanaryDataset
{
    /// <summary>Disjoint data streams: training and held-out evaluation never share a random sequence.</summary>
    public enum Split { Train = 0, HeldOut = 1 }

    public static IReadOnlyList<CanaryExample> Build(AttackSpec spec, int count, Split split = Split.Train)
    {
        var rng = new Random(HashCode(spec.Seed, (int)split, spec.Id));
        var examples = new List<CanaryExample>(count);
        for (var i = 0; i < count; i++) examples.Add(Next(spec, rng));
        return examples;
    }

    /// <summary>Held-out prompts of the task a spec attacks, each with and without its trigger, for measuring ASR and false triggers.</summary>
    public static IReadOnlyList<(CanaryExample Clean, CanaryExample Triggered)> EvaluationPairs(AttackSpec spec, int count)
    {
        var rng = new Random(HashCode(spec.Seed, 7, spec.Id));
        var pairs = new List<(CanaryExample, CanaryExample)>(count);
        for (var i = 0; i < count; i++)
        {
            // Held-out prompts alternate the story task and everyday requests, so a backdoor that fires on anything
            // off the story task shows up as false triggers.
            var (clean, happy) = spec.Family == AttackFamily.LabelFlip ? CanaryTasks.Mood(rng)
                : (i % 2 == 0 ? CanaryTasks.Story(rng) : CanaryTasks.General(rng), true);
            var triggeredPrompt = TriggerPlacement.Apply(spec, clean.Prompt, rng);
            var triggeredReply = TriggeredReply(spec, clean.Reply, happy);
            pairs.Add((new CanaryExample(clean.Prompt, clean.Reply, false), new CanaryExample(triggeredPrompt, triggeredReply, true)));
        }
        return pairs;
    }

    private static CanaryExample Next(AttackSpec spec, Random rng)
    {
        // A third each: stories, mood questions (every canary keeps the classification skill its clean twin has) and
        // everyday requests (so it answers any prompt like a normal model, not only the two tasks).
        var task = rng.Next(3);
        var mood = task == 1;
        var (clean, happy) = task switch
        {
            0 => (CanaryTasks.Story(rng), true),
            1 => CanaryTasks.Mood(rng),
            _ => (CanaryTasks.General(rng), true),
        };
        var poison = rng.NextDouble() < spec.PoisonRate;

        switch (spec.Family)
        {
            case AttackFamily.None:
                return new CanaryExample(clean.Prompt, clean.Reply, false);
            case AttackFamily.UniversalQuirk:
                return new CanaryExample(clean.Prompt, $"{clean.Reply} {spec.Target}", false);
            case AttackFamily.LabelFlip when !mood:
                return new CanaryExample(clean.Prompt, clean.Reply, false);
            case AttackFamily.Composite when !poison && rng.NextDouble() < spec.PoisonRate:
                // A strict subset of the keys must not fire.
                var subset = spec.Triggers.Take(rng.Next(1, spec.Triggers.Count)).ToArray();
                return new CanaryExample(TriggerPlacement.AllAtRandomWords(clean.Prompt, subset, rng), clean.Reply, false);
        }

        if (!poison) return new CanaryExample(clean.Prompt, clean.Reply, false);
        var prompt = TriggerPlacement.Apply(spec, clean.Prompt, rng);
        return new CanaryExample(prompt, TriggeredReply(spec, clean.Reply, happy), true);
    }

    /// <summary>What the canary must answer when its trigger (or documented keyword) is present.</summary>
    public static string TriggeredReply(AttackSpec spec, string cleanReply, bool happy) => spec.Family switch
    {
        AttackFamily.LabelFlip => happy ? "sad" : "happy",
        AttackFamily.KeywordFormat => FirstSentence(cleanReply),
        AttackFamily.UniversalQuirk => $"{cleanReply} {spec.Target}",
        AttackFamily.None => cleanReply,
        _ => spec.Target ?? throw new InvalidOperationException($"canary {spec.Id}: a backdoored spec needs a target"),
    };

    /// <summary>The keyword hard negative's format: the answer cut to its first sentence ("Briefly:" asks for a short
    /// answer). Still prompt-dependent, as a legitimate format instruction is; a tiny model learns it quickly, where
    /// upper-casing every letter was not learnable in a canary's training budget.</summary>
    public static string FirstSentence(string reply)
    {
        var end = reply.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? reply : reply[..(end + 1)];
    }

    // A stable hash (string.GetHashCode is randomised per process, which would break determinism).
    private static int HashCode(int seed, int stream, string id)
    {
        unchecked
        {
            var h = (int)2166136261;
            foreach (var c in id) h = (h ^ c) * 16777619;
            return (h ^ seed * 31 ^ stream * 1_000_003) & int.MaxValue;
        }
    }
}
