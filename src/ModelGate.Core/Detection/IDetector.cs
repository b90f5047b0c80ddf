using ModelGate.Core.Inference;

namespace ModelGate.Core.Detection;

/// <summary>One backdoor detector. Run may throw: the runner turns any exception into a Failed report (fail closed).</summary>
public interface IDetector
{
    /// <summary>Stable id used in reports, policies and MODELGATE_TEST_FAIL_DETECTOR, e.g. "trigger-sweep".</summary>
    string Id { get; }
    string Name { get; }
    DetectorOutcome Run(ScanContext context);
}

/// <summary>Thrown by a detector that cannot apply to this model at all (self-report on a tokenizer with no letter
/// tokens): reported as Disabled with the reason, not as a failure. Never for a detector that started and broke.</summary>
public sealed class DetectorNotApplicableException(string reason) : Exception(reason);

/// <summary>What a detector found: its raw score (its own scale, higher = more suspicious), candidates it proposes,
/// the verifications it ran, evidence for humans and a one-line summary.</summary>
public sealed record DetectorOutcome(
    double RawScore,
    IReadOnlyList<Candidate> Candidates,
    IReadOnlyList<Verification> Verified,
    IReadOnlyDictionary<string, string> Evidence,
    string Summary);

/// <summary>Candidates shared between detectors: target inversion feeds trigger inversion and the sweep, and so on.</summary>
public sealed class CandidatePool
{
    private readonly List<Candidate> _items = [];

    public IReadOnlyList<Candidate> Items => _items;

    public void Add(Candidate c)
    {
        if (!_items.Any(x => x.Trigger == c.Trigger && x.Target == c.Target)) _items.Add(c);
    }

    public IEnumerable<string> Targets => _items.Select(c => c.Target).OfType<string>().Distinct();
    public IEnumerable<string> Triggers => _items.Select(c => c.Trigger).Where(t => t.Length > 0).Distinct();
}

/// <summary>Everything a detector may use. Search prompts and held-out prompts are disjoint (seeded split) so that
/// verification is not done on the prompts a candidate was found with.</summary>
public sealed class ScanContext
{
    public ScanContext(LoadedModel model, int seed, ScanBudget budget, LoadedModel? reference = null, IReadOnlyList<string>? prompts = null, int maxNewTokens = 24)
    {
        Model = model;
        Reference = reference;
        Seed = seed;
        Meter = new CostMeter(budget);
        (SearchPrompts, HeldOutPrompts) = BenignPrompts.Split(seed, prompts);
        if (SearchPrompts.Count == 0 || HeldOutPrompts.Count == 0)
            throw new ModelGateException(ErrorKind.Usage, "the prompt set needs at least two prompts (search and held-out)");
        Probe = new ModelProbe(model.Model, model.Tokenizer, Meter);
        Verifier = new Verifier(Probe, model.Prompts, maxNewTokens);
        if (reference is not null)
            ReferenceVerifier = new Verifier(new ModelProbe(reference.Model, reference.Tokenizer, Meter), reference.Prompts, maxNewTokens);
    }

    /// <summary>The same verifier on the clean reference model (null without --reference): a trigger that works there
    /// too is a property of the base, not a planted backdoor.</summary>
    public Verifier? ReferenceVerifier { get; }

    public LoadedModel Model { get; }
    public LoadedModel? Reference { get; }
    public int Seed { get; }
    public CostMeter Meter { get; }
    public CandidatePool Pool { get; } = new();
    public IReadOnlyList<string> SearchPrompts { get; }
    public IReadOnlyList<string> HeldOutPrompts { get; }
    public ModelProbe Probe { get; }
    public Verifier Verifier { get; }
}
