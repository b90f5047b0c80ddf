using System.Diagnostics;
using ModelGate.Core.Reporting;

namespace ModelGate.Core.Detection;

/// <summary>Thrown when a detector spends more than the scan's budget; the runner reports it as BudgetExceeded.</summary>
public sealed class BudgetExceededException(string message) : Exception(message);

/// <summary>Limits for one scan; null means unlimited.</summary>
public sealed record ScanBudget(long? MaxForwardPasses = null, double? MaxSeconds = null)
{
    public static ScanBudget Unlimited { get; } = new();
}

/// <summary>
/// Counts what the scan spends (forward passes = batched model calls, tokens = positions processed, wall seconds)
/// and enforces the budget at every charge, so a runaway detector stops instead of stalling CI.
/// </summary>
public sealed class CostMeter(ScanBudget budget)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public long ForwardPasses { get; private set; }
    public long Tokens { get; private set; }
    public double Seconds => _clock.Elapsed.TotalSeconds;
    public ScanBudget Budget { get; } = budget;

    public void Charge(long forwardPasses, long tokens)
    {
        ForwardPasses += forwardPasses;
        Tokens += tokens;
        if (Budget.MaxForwardPasses is { } maxF && ForwardPasses > maxF)
            throw new BudgetExceededException($"forward-pass budget of {maxF} exceeded");
        if (Budget.MaxSeconds is { } maxS && Seconds > maxS)
            throw new BudgetExceededException($"time budget of {maxS:0.#} s exceeded");
    }

    public DetectorCost Snapshot() => new(ForwardPasses, Tokens, Seconds);

    /// <summary>Cost spent since an earlier snapshot (one detector's share of a shared meter).</summary>
    public DetectorCost Since(DetectorCost start) =>
        new(ForwardPasses - start.ForwardPasses, Tokens - start.Tokens, Seconds - start.Seconds);
}
