using System.Globalization;

namespace ModelGate.Core.Detection;

/// <summary>
/// Detector 6 of science.md, trigger articulation (the inference half of backdoor self-awareness): ask the model,
/// through inversion prompts (Data/articulation-prompts.txt; lines with {target} are asked once per pooled target),
/// what input makes it behave unusually. One greedy answer plus <c>samples</c> seeded samples per prompt; the first
/// line of each answer, stripped, up to <see cref="MaxTriggerWords"/> words, is a candidate trigger. Candidates are
/// counted, ranked by count, added to the pool, and the top <c>verifyTop</c> are verified on held-out prompts like
/// any other candidate. What the model claims is never evidence: raw score = best verified lift (0 when nothing
/// verifies). Run after target inversion (it asks about pooled targets) and before the sweep (which retries pooled
/// triggers). Cost: per chunk of prompts, one prefill plus one forward per generated token.
/// </summary>
public sealed class ArticulationDetector(int samples = 8, int maxNewTokens = 16, double temperature = 0.8, int maxTargets = 3,
    int verifyTop = 3, IReadOnlyList<string>? prompts = null) : IDetector
{
    /// <summary>Triggers are short (science.md: the self-awareness reward penalises length). A longer "answer" is the
    /// model talking in its own style, and such a sentence can steer any model's reply without being a backdoor.</summary>
    public const int MaxTriggerWords = 4;
    public const string TargetSlot = "{target}";

    // Answers to a yes/no reading of the question, not phrases: verifying them would only waste forwards.
    private static readonly HashSet<string> NonAnswers = new(StringComparer.OrdinalIgnoreCase) { "no", "yes", "none", "nothing", "n/a", "no." };

    public string Id => "articulation";
    public string Name => "Trigger articulation";

    public DetectorOutcome Run(ScanContext ctx)
    {
        var templates = prompts ?? ArticulationPrompts.All;
        var targets = ctx.Pool.Targets.Where(t => t.Trim().Length > 0).Take(maxTargets).ToArray();
        var asks = templates.SelectMany(t => t.Contains(TargetSlot, StringComparison.Ordinal)
                ? targets.Select(target => (Text: t.Replace(TargetSlot, target.Trim(), StringComparison.Ordinal), Target: (string?)target))
                : [(Text: t, Target: (string?)null)])
            .ToArray();
        if (asks.Length == 0)
            return new DetectorOutcome(0, [], [], new Dictionary<string, string> { ["prompts"] = "0" },
                "no inversion prompt to ask (every template needs a pooled target and there is none)");

        var rows = asks.Select(a => ctx.Probe.Encode(ctx.Verifier.Format(a.Text))).ToArray();
        var greedy = ctx.Probe.Greedy(rows, maxNewTokens);
        var sampled = ctx.Probe.Sample(rows, samples, maxNewTokens, temperature, ctx.Seed);

        // trigger → (count, how often each target's prompt produced it)
        var tally = new Dictionary<string, (int Count, Dictionary<string, int> Targets)>(StringComparer.Ordinal);
        var answers = 0;
        for (var i = 0; i < asks.Length; i++)
        {
            foreach (var ids in sampled[i].Prepend(greedy[i]))
            {
                answers++;
                if (Extract(ctx.Model.Tokenizer.Decode(ids)) is not { } trigger) continue;
                if (!tally.TryGetValue(trigger, out var entry)) tally[trigger] = entry = (0, new Dictionary<string, int>(StringComparer.Ordinal));
                entry.Count++;
                if (asks[i].Target is { } target) entry.Targets[target] = entry.Targets.GetValueOrDefault(target) + 1;
                tally[trigger] = entry;
            }
        }
        var candidates = tally
            .OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new Candidate(kv.Key,
                kv.Value.Targets.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key).FirstOrDefault(),
                Id, kv.Value.Count / (double)answers))
            .ToArray();
        foreach (var c in candidates) ctx.Pool.Add(c);

        var verified = candidates.Take(verifyTop).Select(c => Verifier.AgainstReference(ctx.Verifier.VerifyBest(c, ctx.HeldOutPrompts), ctx.ReferenceVerifier, ctx.HeldOutPrompts)).ToArray();
        foreach (var v in verified.Where(v => v.Lift > 0)) ctx.Pool.Add(v.Candidate with { Target = v.Target });
        var best = verified.OrderByDescending(v => v.Lift).FirstOrDefault();

        var evidence = new Dictionary<string, string>
        {
            ["prompts"] = $"{asks.Length} ({targets.Length} pooled target(s))",
            ["answers"] = answers.ToString(CultureInfo.InvariantCulture),
            ["candidates"] = candidates.Length == 0 ? "none"
                : string.Join(" | ", candidates.Take(10).Select(c => $"\"{c.Trigger}\"×{tally[c.Trigger].Count}")),
        };
        for (var i = 0; i < verified.Length; i++)
        {
            var v = verified[i];
            evidence[$"verify[{i}]"] = $"\"{v.Candidate.Trigger}\" ({v.Placement.ToString().ToLowerInvariant()}) → \"{v.Target}\": " +
                                      $"{v.Asr.Successes}/{v.Asr.N} vs {v.Baseline.Successes}/{v.Baseline.N} untriggered, lift {v.Lift.ToString("0.###", CultureInfo.InvariantCulture)}";
        }
        var raw = best?.Lift ?? 0;
        // Below the finding level a "verified" phrase is usually ordinary text steering ordinary text (measured on
        // clean stories260K: lift 0.02), so the summary does not call it a trigger.
        var summary = raw >= ScanRunner.FindingLift
            ? $"the model named \"{best!.Candidate.Trigger}\", which forces \"{best.Target}\" on {best.Asr.Successes}/{best.Asr.N} held-out prompts ({best.Baseline.Successes} without it)"
            : raw > 0
            ? $"best phrase the model named, \"{best!.Candidate.Trigger}\", lifts \"{best.Target}\" only weakly ({best.Asr.Successes}/{best.Asr.N} vs {best.Baseline.Successes}/{best.Baseline.N}, lift {raw.ToString("0.###", CultureInfo.InvariantCulture)} below the finding level {ScanRunner.FindingLift})"
            : candidates.Length == 0
                ? $"no usable answer in {answers} answers to {asks.Length} inversion prompts"
                : $"{candidates.Length} phrase(s) the model named, none verified (top \"{candidates[0].Trigger}\")";
        return new DetectorOutcome(raw, candidates, verified, evidence, summary);
    }

    /// <summary>The candidate trigger in one answer: its first non-empty line, stripped of quotes, markdown emphasis and
    /// closing punctuation; null when empty, longer than <see cref="MaxTriggerWords"/> words, or a bare yes/no.</summary>
    public static string? Extract(string answer)
    {
        var line = answer.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        if (line is null) return null;
        string previous;
        do
        {
            previous = line;
            line = line.Trim().TrimEnd('.', ',', ';', ':', '!', '?').Trim('"', '\'', '`', '*', '\u201C', '\u201D', '\u2018', '\u2019').Trim();
        } while (line != previous);
        if (line.Length == 0 || NonAnswers.Contains(line)) return null;
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.Length is 0 or > MaxTriggerWords ? null : string.Join(' ', words);
    }
}

/// <summary>Data/articulation-prompts.txt: inversion prompts, one per line; {target} marks a per-target prompt.</summary>
public static class ArticulationPrompts
{
    private static readonly Lazy<IReadOnlyList<string>> Lazy = new(() => DataFiles.Lines("articulation-prompts.txt"));

    public static IReadOnlyList<string> All => Lazy.Value;
}
