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
