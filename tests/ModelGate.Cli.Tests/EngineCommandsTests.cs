using ModelGate.Core;
using ModelGate.Tests.Shared;

namespace ModelGate.Cli.Tests;

/// <summary>convert → inspect → generate on the real stories260K model, ending in llama2.c's golden text.</summary>
public class EngineCommandsTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = SharedFixtures.TempDir("cli-engine");

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    [Test]
    public void Convert_inspect_and_generate_reproduce_the_golden_text()
    {
        var src = SharedFixtures.RequireShared("models", "stories260K");
        TorchSharp.torch.set_num_threads(1);
        var model = Path.Combine(_dir, "stories");
        var (exit, output, error) = CliHarness.Run("convert", Path.Combine(src, "stories260K.bin"), "--tokenizer", Path.Combine(src, "tok512.bin"), "--out", model);
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), error);
        Assert.That(output, Does.Contain("5 layers"));

        (exit, output, error) = CliHarness.Run("inspect", model, "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), error);
        Assert.That(output, Does.Contain("LlamaForCausalLM").And.Contain("model.safetensors").And.Contain("sha256"));

        // 200 new tokens from BOS (see Stories260KGoldenTests for why 200, not 199).
        (exit, output, error) = CliHarness.Run("generate", model, "--prompt", "", "--max-new-tokens", "200", "--temperature", "0", "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), error);
        Assert.That(output, Is.EqualTo(File.ReadAllText(Path.Combine(src, "golden-greedy-200.txt")) + Environment.NewLine));
    }

    [Test]
    public void Generate_on_a_directory_without_a_model_fails_closed()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"model_type":"bert"}""");
        var (exit, _, error) = CliHarness.Run("generate", _dir, "--prompt", "hi", "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Error));
        Assert.That(error, Does.Contain("bert").And.Contain("config.json"));

        (exit, _, error) = CliHarness.Run("generate", _dir, "--prompt", "hi", "--max-new-tokens", "0", "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.Contain("--max-new-tokens"));

        (exit, _, error) = CliHarness.Run("inspect", Path.Combine(_dir, "nope"), "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.NothingScannable), error);
    }
}
