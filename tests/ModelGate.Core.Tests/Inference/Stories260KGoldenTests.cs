using ModelGate.Core;
using ModelGate.Core.Inference;
using ModelGate.Core.Loading;
using ModelGate.Tests.Shared;
using TorchSharp;

namespace ModelGate.Core.Tests.Inference;

/// <summary>The converted llama2.c stories260K model must reproduce llama2.c's own greedy output byte for byte.</summary>
public class Stories260KGoldenTests
{
    [Test]
    public void Converted_model_reproduces_llama2c_greedy_golden_text()
    {
        var dir = SharedFixtures.RequireShared("models", "stories260K");
        var golden = File.ReadAllText(Path.Combine(dir, "golden-greedy-200.txt"));
        var outDir = SharedFixtures.TempDir("stories");
        try
        {
            torch.set_num_threads(1);
            Llama2cConverter.Convert(Path.Combine(dir, "stories260K.bin"), Path.Combine(dir, "tok512.bin"), outDir);
            using var loaded = ModelLoader.Load(outDir, torch.CPU);
            Assert.That(loaded.Model.Info.ParameterCount, Is.GreaterThan(200_000));
            // The shared README (and the issue) say 199 generated tokens; measured, the golden file is exactly
            // 200 new tokens after BOS: 199 stops one piece (" she") short of it.
            var result = TextGenerator.Generate(loaded.Model, new[] { new[] { 1 } }, new GenerationOptions(200, StopAtEos: false))[0];
            var text = loaded.Tokenizer.Decode(result.Tokens);
            Assert.That(text, Is.EqualTo(golden));
            var shorter = loaded.Tokenizer.Decode(result.Tokens.Take(199));
            Assert.That(shorter, Is.Not.EqualTo(golden));
            Assert.That(golden, Does.StartWith(shorter));
            Assert.That(result.LogProbs.All(lp => lp <= 0 && float.IsFinite(lp)));
        }
        finally { Directory.Delete(outDir, true); }
    }
}
