using ModelGate.Core.Reporting;

namespace ModelGate.Core.Policy;

/// <summary>The result with suppressions applied, and the suppressions that did nothing (expired or unmatched).</summary>
public sealed record SuppressionOutcome(ScanResult Result, IReadOnlyList<SuppressionRule> Expired, IReadOnlyList<SuppressionRule> Unused);

/// <summary>
/// Marks findings accepted by the policy. Suppressed findings stay in every report (marked), they only stop
/// counting towards the verdict. Scan errors are never suppressible: an error is never a pass.
/// </summary>
public static class Suppressions
{
    public static SuppressionOutcome Apply(ScanResult result, IReadOnlyList<SuppressionRule> rules, DateOnly today, string source = GatePolicyLoader.FileName)
    {
        var active = rules.Where(r => !r.IsExpired(today)).ToList();
        var used = new HashSet<SuppressionRule>(ReferenceEqualityComparer.Instance);
        var findings = result.Findings.Select(f =>
        {
            if (f.Suppressed is not null) return f;
            var rule = active.FirstOrDefault(r => r.Matches(f));
            if (rule is null) return f;
            used.Add(rule);
            return f with { Suppressed = new Suppression(rule.Reason, rule.Expires, source) };
        }).ToList();
        return new SuppressionOutcome(
            result with { Findings = findings },
            rules.Where(r => r.IsExpired(today)).ToList(),
            active.Where(r => !used.Contains(r)).ToList());
    }
}
