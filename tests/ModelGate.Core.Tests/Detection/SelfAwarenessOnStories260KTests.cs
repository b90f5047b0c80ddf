using ModelGate.Core.Detection;
using ModelGate.Core.Loading;
using ModelGate.Tests.Shared;
using TorchSharp;

namespace ModelGate.Core.Tests.Detection;

/// <summary>Both self-awareness detectors on a real pretrained model (stories260K, SentencePiece, no chat template):
/// they must find the option letters in a real vocabulary, stay within a few dozen forwards and not crash. The
/// model is tiny and was never asked anything, so no particular score is expected, only a well-formed one.</summary>
public class SelfAwarenessOnStories260KTests
{
    [Test]
    public void Self_report_and_articulation_run_on_stories260K()
    {
        var dir = SharedFixtures.RequireShared("models", "stories260K");
        var outDir = SharedFixtures.TempDir("stories-selfaware");
        try
        {
            torch.set_num_threads(1);
            Llama2cConverter.Convert(Path.Combine(dir, "stories260K.bin"), Path.Combine(dir, "tok512.bin"), outDir);
            using var m = ModelLoader.Load(outDir, torch.CPU);
            Assert.That(SelfReportDetector.LetterIds(m.Tokenizer, "A"), Is.Not.Empty);
            var ctx = new ScanContext(m, seed: 2, ScanBudget.Unlimited, maxNewTokens: 8);
            var s = new SelfReportDetector().Run(ctx);
            TestContext.Out.WriteLine($"self-report: {s.Summary}; letter mass {s.Evidence["model.letterMass"]}");
            Assert.That(s.RawScore, Is.InRange(0.0, 1.0));
            Assert.That(ctx.Meter.ForwardPasses, Is.InRange(1, 10));

            var a = new ArticulationDetector(samples: 2, maxNewTokens: 8, verifyTop: 1).Run(ctx);
            TestContext.Out.WriteLine($"articulation: {a.Summary}; {a.Evidence["candidates"]}");
            Assert.That(a.RawScore, Is.InRange(0.0, 1.0));
            Assert.That(a.Verified.Count, Is.LessThanOrEqualTo(1));
        }
        finally { Directory.Delete(outDir, true); }
    }
}
