using ModelGate.Core.Architectures;
using ModelGate.Core.Detection;
using ModelGate.Core.Tests.Architectures;
using ModelGate.Core.Tests.Detection.Fixtures;
using static TorchSharp.torch;

namespace ModelGate.Core.Tests.Detection;

/// <summary>The shared-prefix path BAIT runs on must compute exactly what full forwards of prompt + continuation do.</summary>
public class PromptAveragerTests
{
    [Test]
    public void Cached_steps_match_full_forwards_averaged_over_prompts_including_dropped_rows()
    {
        using var model = TransformerCausalLM.CreateRandom(TinyConfigs.Llama(), seed: 5);
        var probe = new ModelProbe(model, BackdoorFixture.Tokenizer(), new CostMeter(ScanBudget.Unlimited));
        int[][] prompts = [[1, 5, 9, 3], [1, 7], [1, 2, 4, 6, 8, 10]];   // different lengths: left padding in the prefix
        int[][] continuations = [[11, 12, 13], [14, 15, 16], [17, 18, 19]];

        using var averager = new PromptAverager(probe, prompts);
        using var group = averager.Start(continuations.Select(c => c[0]).ToList());
        var first = group.Step(continuations.Select(c => c[0]).ToList());
        AssertClose(first[1], FullAverage(probe, prompts, continuations[1][..1]));
        group.Keep([0, 2]);                                                     // continuation 1 dies
        Assert.That(group.Members, Is.EqualTo(new[] { 0, 2 }));
        var second = group.Step([continuations[0][1], continuations[2][1]]);
        AssertClose(second[0], FullAverage(probe, prompts, continuations[0][..2]));
        AssertClose(second[1], FullAverage(probe, prompts, continuations[2][..2]));
        AssertClose(averager.Initial, FullAverage(probe, prompts, []));
    }

    private static float[] FullAverage(ModelProbe probe, int[][] prompts, int[] continuation)
    {
        var rows = prompts.Select(p => p.Concat(continuation).ToArray()).ToArray();
        var lp = probe.NextTokenLogProbs(rows);
        return Enumerable.Range(0, lp[0].Length).Select(k => (float)lp.Average(r => Math.Exp(r[k]))).ToArray();
    }

    private static void AssertClose(float[] actual, float[] expected)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length));
        var worst = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        Assert.That(worst, Is.LessThan(1e-5), $"max abs difference {worst}");
    }
}
