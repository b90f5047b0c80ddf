using ModelGate.Core.Reporting;

namespace ModelGate.Core.Policy;

/// <summary>
/// The gate's verdict and exit code, defined once for every adapter. Order matters: ERROR (anything required not
/// checked) beats FAIL beats WARN beats PASS. WARN exits 0 unless the policy says failOnWarn.
/// </summary>
public sealed record GateDecision(Verdict Verdict, int ExitCode, IReadOnlyList<string> Reasons)
{
    public static GateDecision Decide(ScanResult result, GatePolicy policy)
    {
        var errors = new List<string>();
        if (result.Verdict == Verdict.Error) errors.Add("the scan reported an error");
        errors.AddRange(result.Errors.Select(e => $"{e.EffectiveRuleId()}{(e.DetectorId is null ? "" : $" {e.DetectorId}")}: {e.Message}"));
        foreach (var d in result.Detectors)
        {
            var p = policy.For(d.Id);
            if (!p.Enabled || p.AllowSkip) continue;
            if (d.Status is DetectorStatus.Failed or DetectorStatus.BudgetExceeded or DetectorStatus.Skipped)
                errors.Add($"detector {d.Id} {Format.Status(d.Status)}{(d.Summary is null ? "" : $": {d.Summary}")} (the policy does not allow skipping it)");
        }
        // A detector the policy names explicitly, enabled and not skippable, must have reported.
        foreach (var (id, p) in policy.Detectors)
            if (p.Enabled && !p.AllowSkip && result.Detectors.All(d => d.Id != id))
                errors.Add($"detector {id} required by the policy did not report");
        if (errors.Count > 0)
        {
            var nothing = result.Errors.Any(e => e.EffectiveRuleId() == Rules.NothingScannable.Id);
            return new GateDecision(Verdict.Error, nothing ? ExitCodes.NothingScannable : ExitCodes.Error, errors.Distinct().ToList());
        }

        var open = result.Findings.Where(f => f.Suppressed is null).ToList();
        var anySuppressed = open.Count != result.Findings.Count;
        // The calibrated score counts only when no finding was suppressed: a suppression accepts the evidence behind it.
        var scoreFails = !anySuppressed && result.Score >= result.Thresholds.Fail;
        var scoreWarns = !anySuppressed && result.Score >= result.Thresholds.Warn;

        var failing = open.Where(f => f.Level >= policy.FailOn).Select(f => $"{f.RuleId} ({f.Level.ToString().ToLowerInvariant()}): {f.Title}").ToList();
        if (scoreFails) failing.Add($"score {Format.Probability(result.Score)} ≥ fail threshold {Format.Probability(result.Thresholds.Fail)}");
        if (failing.Count > 0) return new GateDecision(Verdict.Fail, ExitCodes.GateFailed, failing);

        var warning = open.Where(f => f.Level >= policy.WarnOn).Select(f => $"{f.RuleId} ({f.Level.ToString().ToLowerInvariant()}): {f.Title}").ToList();
        if (scoreWarns) warning.Add($"score {Format.Probability(result.Score)} ≥ warn threshold {Format.Probability(result.Thresholds.Warn)}");
        if (warning.Count > 0)
            return new GateDecision(Verdict.Warn, policy.FailOnWarn ? ExitCodes.GateFailed : ExitCodes.Pass, warning);

        return new GateDecision(Verdict.Pass, ExitCodes.Pass, []);
    }
}
