using ModelGate.Core.Detection.Benchmarking;

namespace ModelGate.Core.Tests.Detection.Benchmarking;

public class DetectionMetricsTests
{
    private static ScoredSample[] Samples(double[] positives, double[] negatives) =>
        positives.Select(s => new ScoredSample(s, true)).Concat(negatives.Select(s => new ScoredSample(s, false))).ToArray();

    // Positives 0.9, 0.6, 0.5 against negatives 0.7, 0.5, 0.2, 0.1: of 12 pairs, 0.9 wins 4, 0.6 wins 3,
    // 0.5 wins 2 and ties 1 ⇒ U = 9.5, AUC = 9.5/12.
    private static readonly ScoredSample[] Mixed = Samples([0.9, 0.6, 0.5], [0.7, 0.5, 0.2, 0.1]);

    [Test]
    public void Auc_of_perfect_separation_is_one()
    {
        Assert.That(DetectionMetrics.RocAuc(Samples([0.8, 0.9], [0.1, 0.2, 0.3])), Is.EqualTo(1.0));
    }

    [Test]
    public void Auc_of_reversed_scores_is_zero()
    {
        Assert.That(DetectionMetrics.RocAuc(Samples([0.1, 0.2], [0.8, 0.9, 0.7])), Is.EqualTo(0.0));
    }

    [Test]
    public void Auc_of_all_ties_is_one_half()
    {
        Assert.That(DetectionMetrics.RocAuc(Samples([0.4, 0.4, 0.4], [0.4, 0.4])), Is.EqualTo(0.5));
    }

    [Test]
    public void Auc_of_a_mixed_case_counts_ties_half()
    {
        Assert.That(DetectionMetrics.RocAuc(Mixed), Is.EqualTo(9.5 / 12).Within(1e-12));
    }

    [Test]
    public void Auc_does_not_depend_on_input_order()
    {
        var shuffled = Mixed.Reverse().ToArray();
        Assert.That(DetectionMetrics.RocAuc(shuffled), Is.EqualTo(9.5 / 12).Within(1e-12));
    }

    [Test]
    public void Tpr_at_fpr_of_perfect_and_reversed_scores()
    {
        Assert.That(DetectionMetrics.TprAtFpr(Samples([0.8, 0.9], [0.1, 0.2, 0.3])), Is.EqualTo(1.0));
        Assert.That(DetectionMetrics.TprAtFpr(Samples([0.1, 0.2], [0.8, 0.9, 0.7])), Is.EqualTo(0.0));
    }

    [Test]
    public void Tpr_at_five_percent_fpr_stops_before_the_first_false_positive()
    {
        // With 4 negatives one false positive is already 25 % > 5 %: only the 0.9 positive is above 0.7.
        Assert.That(DetectionMetrics.TprAtFpr(Mixed), Is.EqualTo(1.0 / 3).Within(1e-12));
    }

    [Test]
    public void Tpr_at_a_looser_fpr_never_splits_a_tie()
    {
        // At FPR ≤ 25 %: threshold 0.6 gives TPR 2/3 at FPR 1/4; threshold 0.5 takes the tied positive and negative
        // together (FPR 2/4), so it is not allowed even though the positive alone would fit.
        Assert.That(DetectionMetrics.TprAtFpr(Mixed, 0.25), Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(DetectionMetrics.TprAtFpr(Samples([0.4, 0.4], [0.4, 0.4])), Is.EqualTo(0.0), "all ties: no threshold separates");
    }

    [Test]
    public void Tpr_at_fpr_is_monotone_in_the_bound()
    {
        var previous = 0.0;
        foreach (var bound in new[] { 0.0, 0.05, 0.25, 0.5, 0.75, 1.0 })
        {
            var tpr = DetectionMetrics.TprAtFpr(Mixed, bound);
            Assert.That(tpr, Is.GreaterThanOrEqualTo(previous), $"bound {bound}");
            previous = tpr;
        }
        Assert.That(previous, Is.EqualTo(1.0), "FPR ≤ 1 admits every threshold");
    }

    [Test]
    public void Roc_figures_refuse_a_single_class_or_a_nan_score()
    {
        Assert.Throws<ArgumentException>(() => DetectionMetrics.RocAuc(Samples([0.1, 0.2], [])));
        Assert.Throws<ArgumentException>(() => DetectionMetrics.TprAtFpr(Samples([], [0.1])));
        Assert.Throws<ArgumentException>(() => DetectionMetrics.RocAuc(Samples([double.NaN], [0.1])));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectionMetrics.TprAtFpr(Mixed, 1.5));
    }

    [Test]
    public void Trigger_recall_is_the_best_bleu_per_true_trigger_averaged()
    {
        Assert.That(DetectionMetrics.TriggerRecall(["CF"], ["cf"]), Is.EqualTo(1.0), "BLEU is case-insensitive");
        Assert.That(DetectionMetrics.TriggerRecall(["mn", "cf"], ["cf", "bb"]), Is.EqualTo(0.5), "cf found, bb missed");
        Assert.That(DetectionMetrics.TriggerRecall([], ["cf"]), Is.EqualTo(0.0));
        Assert.That(DetectionMetrics.TriggerRecall(["  "], ["cf"]), Is.EqualTo(0.0), "a blank recovery is no recovery");
        Assert.Throws<ArgumentException>(() => DetectionMetrics.TriggerRecall(["cf"], []));
    }

    [Test]
    public void Trigger_recall_gives_partial_credit_to_a_prefix_of_the_trigger()
    {
        // "deployment mode" vs "deployment mode now": 1- and 2-gram precision 1 (2-gram smoothed (1+1)/(1+1)),
        // brevity penalty exp(1 − 3/2).
        Assert.That(DetectionMetrics.TriggerRecall(["deployment mode"], ["deployment mode now"]),
            Is.EqualTo(Math.Exp(-0.5)).Within(1e-12));
    }

    [Test]
    public void Reasr_is_the_mean_asr_with_missing_recoveries_as_zero()
    {
        Assert.That(DetectionMetrics.Reasr([1.0, null, 0.5]), Is.EqualTo(0.5).Within(1e-12));
        Assert.Throws<ArgumentException>(() => DetectionMetrics.Reasr([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectionMetrics.Reasr([1.2]));
    }
}
