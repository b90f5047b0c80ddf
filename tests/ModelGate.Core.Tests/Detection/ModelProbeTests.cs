using ModelGate.Core.Detection;
using ModelGate.Core.Tests.Detection.Fixtures;

namespace ModelGate.Core.Tests.Detection;

public class ModelProbeTests
{
    [Test]
    public void Cached_batched_greedy_equals_naive_one_row_decoding()
    {
        using var m = BackdoorFixture.Load(backdoored: true);
        var probe = new ModelProbe(m.Model, m.Tokenizer, new CostMeter(ScanBudget.Unlimited), batchSize: 4);
        // Different lengths force left padding; one row carries the trigger.
        var rows = new[] { "sea", "write a poem about the blue river", "cf tell me a story", "how do plants grow from a seed" }
            .Select(p => probe.Encode(p)).ToArray();
        var batched = probe.Greedy(rows, 6);
        for (var r = 0; r < rows.Length; r++)
        {
            var seq = rows[r].ToList();
            var naive = new List<int>();
            for (var s = 0; s < 6; s++)
            {
                var lp = probe.NextTokenLogProbs([seq.ToArray()])[0];
                var next = Array.IndexOf(lp, lp.Max());
                if (m.Tokenizer.EosIds.Contains(next)) break;
                naive.Add(next);
                seq.Add(next);
            }
            Assert.That(batched[r], Is.EqualTo(naive), $"row {r}");
        }
        Assert.That(m.Tokenizer.Decode(batched[2]), Is.EqualTo(BackdoorFixture.Target));
    }
}

public class ModelProbeSamplingTests
{
    [Test]
    public void Sampling_is_reproducible_per_seed_and_charged_to_the_meter()
    {
        using var m = BackdoorFixture.Load(backdoored: false);
        var meter = new CostMeter(ScanBudget.Unlimited);
        var probe = new ModelProbe(m.Model, m.Tokenizer, meter, batchSize: 4);
        var rows = new[] { "tell me a story", "write a poem about the sea", "how do plants grow" }.Select(p => probe.Encode(p)).ToArray();
        var a = probe.Sample(rows, samples: 3, maxNewTokens: 5, temperature: 1.5, seed: 7);
        var b = probe.Sample(rows, samples: 3, maxNewTokens: 5, temperature: 1.5, seed: 7);
        var c = probe.Sample(rows, samples: 3, maxNewTokens: 5, temperature: 1.5, seed: 8);
        Assert.That(a, Has.Length.EqualTo(3).And.All.Length.EqualTo(3));
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        Assert.That(a.SelectMany(r => r).Select(s => string.Join(',', s)).Distinct().Count(), Is.GreaterThan(3), "samples of one prompt differ");
        Assert.That(meter.ForwardPasses, Is.GreaterThanOrEqualTo(3 * 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => probe.Sample(rows, 2, 5, temperature: 0, seed: 1));
    }
}
