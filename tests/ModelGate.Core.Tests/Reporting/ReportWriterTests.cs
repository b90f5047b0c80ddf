using System.Text.Json.Nodes;
using System.Xml.Linq;
using ModelGate.Core.Reporting;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Reporting;

public class ReportWriterTests
{
    private string _dir = "";

    [SetUp] public void SetUp() => _dir = SharedFixtures.TempDir("mg-reports");

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void Writes_every_requested_format_creating_folders_and_leaving_no_temp_files()
    {
        var paths = new ReportPaths(
            Json: Path.Combine(_dir, "a", "b", "result.json"),
            Sarif: Path.Combine(_dir, "sarif", "result.sarif"),
            JUnit: Path.Combine(_dir, "junit.xml"),
            Markdown: Path.Combine(_dir, "md", "summary.md"));
        var written = ReportWriter.Write(ScanFixtures.Fail, paths);

        Assert.That(written, Has.Count.EqualTo(4));
        Assert.That(JsonReport.Parse(File.ReadAllText(paths.Json!)).Verdict, Is.EqualTo(Verdict.Fail));
        Assert.That(JsonNode.Parse(File.ReadAllText(paths.Sarif!))!["version"]!.GetValue<string>(), Is.EqualTo("2.1.0"));
        Assert.DoesNotThrow(() => XDocument.Load(paths.JUnit!));
        Assert.That(File.ReadAllText(paths.Markdown!), Is.EqualTo(MarkdownReport.Render(ScanFixtures.Fail)));
        Assert.That(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories), Is.Empty);
        Assert.That(File.ReadAllBytes(paths.Json!)[0], Is.EqualTo((byte)'{'), "no byte-order mark");
    }

    [Test]
    public void Only_requested_formats_are_written_and_existing_files_are_replaced()
    {
        var json = Path.Combine(_dir, "result.json");
        File.WriteAllText(json, "old");
        ReportWriter.Write(ScanFixtures.Pass, new ReportPaths(Json: json));
        Assert.That(JsonReport.Parse(File.ReadAllText(json)).Verdict, Is.EqualTo(Verdict.Pass));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1));
    }

    [Test]
    public void Markdown_respects_the_byte_budget()
    {
        var md = Path.Combine(_dir, "s.md");
        ReportWriter.Write(ScanFixtures.Fail, new ReportPaths(Markdown: md), markdownMaxBytes: 800);
        Assert.That(new FileInfo(md).Length, Is.LessThanOrEqualTo(800));
    }

    [Test]
    public void An_unwritable_path_is_an_output_error_naming_the_path()
    {
        // A regular file where a folder is needed fails on every OS and for root too (unlike permission bits).
        var blocker = Path.Combine(_dir, "blocker");
        File.WriteAllText(blocker, "x");
        var target = Path.Combine(blocker, "sub", "result.json");
        var ex = Assert.Throws<ModelGateException>(() => ReportWriter.Write(ScanFixtures.Pass, new ReportPaths(Json: target)));
        Assert.That(ex!.Kind, Is.EqualTo(ErrorKind.Output));
        Assert.That(ex.File, Is.EqualTo(target));
        Assert.That(ex.Message, Does.StartWith($"{target}: cannot write report"));
        Assert.That(ex.Message, Does.Not.Contain("\n"));
        Assert.That(ExitCodes.For(ex.Kind), Is.EqualTo(ExitCodes.Error));
    }

    [Test]
    public void A_directory_in_place_of_the_report_is_an_output_error()
    {
        var ex = Assert.Throws<ModelGateException>(() => ReportWriter.Write(ScanFixtures.Pass, new ReportPaths(Sarif: _dir)));
        Assert.That(ex!.Message, Does.Contain("is a directory"));
    }
}
