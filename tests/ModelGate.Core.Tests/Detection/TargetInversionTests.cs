using ModelGate.Core.Detection;
using ModelGate.Core.Tests.Detection.Fixtures;

namespace ModelGate.Core.Tests.Detection;

public class TargetInversionTests
{
    [Test]
    public void Bait_inverts_planted_target_and_clean_twin_scores_lower()
    {
        using var bad = BackdoorFixture.Load(backdoored: true);
        var ctx = new ScanContext(bad, 3, ScanBudget.Unlimited);
        var o = new TargetInversionDetector(scoringPrompts: 8, maxSteps: 8, minTargetTokens: 3).Run(ctx);
        Assert.That(o.Evidence["best.target"], Is.EqualTo(BackdoorFixture.Target), o.Evidence["top"]);
        Assert.That(o.RawScore, Is.GreaterThan(0.95));
        Assert.That(ctx.Pool.Targets, Does.Contain(BackdoorFixture.Target));

        using var clean = BackdoorFixture.Load(backdoored: false);
        var c = new TargetInversionDetector(scoringPrompts: 8, maxSteps: 8, minTargetTokens: 3).Run(new ScanContext(clean, 3, ScanBudget.Unlimited));
        Assert.That(c.RawScore, Is.LessThan(0.9), c.Evidence["top"]);
        Assert.That(c.RawScore, Is.LessThan(o.RawScore - 0.1));
    }
}
