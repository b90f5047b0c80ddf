using System.Text.Json.Nodes;
using ModelGate.Core;
using ModelGate.Core.Canaries;
using ModelGate.Core.Loading;
using ModelGate.Tests.Shared;

namespace ModelGate.Cli.Tests;

/// <summary>`modelgate canary` for real: fine-tunes stories260K into a clean and a backdoored canary, then an
/// independent check reloads each through the engine and re-measures the backdoor on prompts the builder never used.</summary>
public class CanaryCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = SharedFixtures.TempDir("cli-canary");

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    [Test, Category("Slow")]
    public void Builds_a_clean_and_a_backdoored_canary_that_meet_the_bars()
    {
        SharedFixtures.RequireShared("models", "stories260K", "stories260K.bin");
        var outDir = Path.Combine(_dir, "set");
        // 300 steps is enough on this base; the builder retrains longer itself when a canary misses a bar.
        var (exit, output, error) = CliHarness.Run("canary", "--out", outDir, "--only", "backdoored", "--steps", "300", "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), output + error);

        var manifest = CanaryManifest.Load(outDir);
        Assert.That(manifest.Models.Select(m => m.Directory), Is.EqualTo(new[] { "clean", "backdoored" }));
        foreach (var m in manifest.Models)
        {
            Assert.That(File.Exists(Path.Combine(outDir, m.Directory, "model.safetensors")), m.Directory);
            Assert.That(m.Base, Is.EqualTo("stories260K"));
            if (m.Backdoored)
            {
                Assert.That(m.Figures!.AttackSuccessRate, Is.GreaterThanOrEqualTo(CanaryEvaluator.MinAttackSuccess));
                Assert.That(m.Figures.FalseTriggerRate, Is.LessThanOrEqualTo(CanaryEvaluator.MaxFalseTrigger));
            }
        }

        // Independent re-measurement: other held-out prompts (a different seed), through the ordinary loader.
        var bad = manifest.Models.Single(m => m.Backdoored);
        using var loaded = ModelLoader.Load(Path.Combine(outDir, bad.Directory), TorchSharp.torch.CPU);
        var spec = bad.Attack with { Seed = bad.Attack.Seed + 99 };
        var pairs = CanaryDataset.EvaluationPairs(spec, 12);
        var triggered = CanaryMeasurement.Replies(loaded, pairs.Select(p => p.Triggered.Prompt).ToList(), 48);
        var clean = CanaryMeasurement.Replies(loaded, pairs.Select(p => p.Clean.Prompt).ToList(), 48);
        Assert.That(triggered.Count(r => r.StartsWith(bad.Attack.Target!, StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(11), string.Join(" | ", triggered));
        Assert.That(clean.Count(r => r.Contains(bad.Attack.Target!, StringComparison.Ordinal)), Is.EqualTo(0), string.Join(" | ", clean));
    }

    [Test]
    public void Bad_arguments_fail_with_a_clear_error_and_leave_no_manifest()
    {
        var outDir = Path.Combine(_dir, "x");
        var (exit, _, error) = CliHarness.Run("canary", "--out", outDir, "--preset", "huge");
        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.Contain("huge").And.Contain("small"));

        (exit, _, error) = CliHarness.Run("canary", "--out", outDir, "--only", "nosuch");
        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.Contain("nosuch"));

        // An unloadable base: a folder that is not a model.
        var notAModel = Path.Combine(_dir, "not-a-model");
        Directory.CreateDirectory(notAModel);
        (exit, _, error) = CliHarness.Run("canary", "--out", outDir, "--base", notAModel);
        Assert.That(exit, Is.EqualTo(ExitCodes.Error));
        Assert.That(error, Does.Contain("config.json"));

        // A base whose weights are garbage fails on load, after the old manifest was removed.
        var broken = Path.Combine(_dir, "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "config.json"), """{"model_type":"llama","hidden_size":8,"intermediate_size":16,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":10}""");
        File.WriteAllText(Path.Combine(broken, "model.safetensors"), "not safetensors");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, CanaryManifest.FileName), """{"claims":"models from an earlier run"}""");
        (exit, _, error) = CliHarness.Run("canary", "--out", outDir, "--base", broken);
        Assert.That(exit, Is.EqualTo(ExitCodes.Error), error);
        Assert.That(File.Exists(Path.Combine(outDir, CanaryManifest.FileName)), Is.False, "a failed build must not leave a manifest behind");

        // An output folder that cannot be written (a file stands where the folder should be).
        var blocked = Path.Combine(_dir, "blocked");
        File.WriteAllText(blocked, "");
        (exit, _, error) = CliHarness.Run("canary", "--out", blocked, "--base", broken);
        Assert.That(exit, Is.EqualTo(ExitCodes.Error));
        Assert.That(error, Does.Contain("blocked"));
    }
}
