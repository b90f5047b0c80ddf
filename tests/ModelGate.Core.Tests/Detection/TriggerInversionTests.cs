using ModelGate.Core.Detection;
using ModelGate.Core.Tests.Detection.Fixtures;

namespace ModelGate.Core.Tests.Detection;

public class TriggerInversionTests
{
    [Test]
    public void Gcg_recovers_planted_trigger_for_the_pooled_target()
    {
        using var bad = BackdoorFixture.Load(backdoored: true);
        var ctx = new ScanContext(bad, 3, ScanBudget.Unlimited, maxNewTokens: 8);
        ctx.Pool.Add(new Candidate("", BackdoorFixture.Target, "test"));
        var o = new TriggerInversionDetector(triggerTokens: 1, explore: 0).Run(ctx);
        var v = o.Verified.Single();
        Assert.That(v.Candidate.Trigger, Is.EqualTo(BackdoorFixture.Trigger), o.Summary);
        Assert.That(v.Asr.Rate, Is.GreaterThanOrEqualTo(0.9));
        Assert.That(o.RawScore, Is.GreaterThan(0.5));
    }

    [Test]
    public void Gcg_finds_no_working_trigger_on_clean_twin_and_says_so_without_targets()
    {
        using var clean = BackdoorFixture.Load(backdoored: false);
        var o = new TriggerInversionDetector(targets: [BackdoorFixture.Target]).Run(new ScanContext(clean, 3, ScanBudget.Unlimited, maxNewTokens: 8));
        Assert.That(o.RawScore, Is.EqualTo(0), o.Summary);
        var none = new TriggerInversionDetector().Run(new ScanContext(clean, 3, ScanBudget.Unlimited));
        Assert.That(none.Summary, Does.Contain("no target"));
    }
}
