using System.Text;
using ModelGate.Core.Reporting;
using ModelGate.Tests.Shared;

namespace ModelGate.GitHub.Tests;

public class WorkflowCommandTests
{
    [Test]
    public void DataAndPropertiesAreEscaped()
    {
        Assert.That(WorkflowCommands.EscapeData("50% done\r\nnext"), Is.EqualTo("50%25 done%0D%0Anext"));
        Assert.That(WorkflowCommands.EscapeProperty("a:b,c%"), Is.EqualTo("a%3Ab%2Cc%25"));
        Assert.That(WorkflowCommands.Format("error", "bad: x, y", ("file", "dir/a,b.yml"), ("line", "3"), ("col", null), ("title", "T: 1")),
            Is.EqualTo("::error file=dir/a%2Cb.yml,line=3,title=T%3A 1::bad: x, y"));
    }

    [Test]
    public void AMessageCannotForgeASecondCommand()
    {
        var line = WorkflowCommands.Format("warning", "ok\n::error::forged\r\n::add-mask::x");
        Assert.That(line, Does.Not.Contain("\n").And.Not.Contain("\r"));
        Assert.That(line, Is.EqualTo("::warning::ok%0A::error::forged%0D%0A::add-mask::x"));
    }

    [Test]
    public void AnnotationsAreMostSevereFirstWithFileAndLineFromDeclaredAt()
    {
        var result = TestResults.Make(findings: TestResults.Many(0, 0, 1).Concat(TestResults.Many(1, 0, 0)).Concat(TestResults.Many(0, 1, 0)), notChecked: ["weight-delta: no reference model"]);
        var annotations = ScanAnnotations.From(result);
        Assert.That(annotations.Select(a => a.Level), Is.EqualTo(new[] { AnnotationLevel.Error, AnnotationLevel.Warning, AnnotationLevel.Warning, AnnotationLevel.Notice }));
        Assert.That(annotations.All(a => a.File == "modelgate.yml" && a.Line == 7), Is.True);
        Assert.That(annotations[0].ToWorkflowCommand(), Does.StartWith("::error file=modelgate.yml,line=7,title=MG1001 Finding 0::"));
    }

    [Test]
    public void SuppressedFindingsAreNotAnnotated()
    {
        var suppressed = TestResults.Finding(1, FindingLevel.Error) with { Suppressed = new Suppression("accepted", null, "policy") };
        Assert.That(ScanAnnotations.From(TestResults.Make(findings: [suppressed])), Is.Empty);
    }

    [Test]
    public void AtMostTenPerLevelThenOneNoticeWithTheRest()
    {
        var lines = ScanAnnotations.ToWorkflowCommands(TestResults.Make(findings: TestResults.Many(13, 12, 2)));
        Assert.That(lines.Count(l => l.StartsWith("::error ", StringComparison.Ordinal)), Is.EqualTo(10));
        Assert.That(lines.Count(l => l.StartsWith("::warning ", StringComparison.Ordinal)), Is.EqualTo(10));
        Assert.That(lines.Take(10).All(l => l.StartsWith("::error ", StringComparison.Ordinal)), Is.True);
        Assert.That(lines[^1], Does.StartWith("::notice title=ModelGate%3A more findings::5 more ModelGate annotation(s)"));
        Assert.That(lines, Has.Count.EqualTo(10 + 10 + 2 + 1));
    }

    [Test]
    public void NoOverflowNoticeWhenEverythingFits() =>
        Assert.That(ScanAnnotations.ToWorkflowCommands(TestResults.Make(findings: TestResults.Many(3, 2, 0))), Has.Count.EqualTo(5));
}

public class JobSummaryTests
{
    [Test]
    public void VerdictTableComesFirst()
    {
        var md = JobSummary.Render(TestResults.Make());
        Assert.That(md, Does.StartWith("## ModelGate: ❌ FAIL\n\n| Verdict | Score |"));
        Assert.That(md.IndexOf("| **FAIL** | 0.93 |", StringComparison.Ordinal), Is.LessThan(md.IndexOf("### Findings", StringComparison.Ordinal)));
        // Model-controlled text cannot break the table.
        Assert.That(md, Does.Contain("`\\|DEPLOYMENT-1\\|`"));
    }

    [Test]
    public void StaysUnderTheBudgetInUtf8BytesDroppingWholeSections()
    {
        var wide = TestResults.Many(400, 0, 0).Select(f => f with { Title = new string('é', 200) + "🙂" });
        var result = TestResults.Make(findings: wide);
        var full = JobSummary.Render(result, long.MaxValue);
        // Between the char count and the byte count: counting chars instead of bytes would keep everything and overflow.
        var budget = (full.Length + Encoding.UTF8.GetByteCount(full)) / 2;
        Assert.That(full.Length, Is.LessThan(budget), "the test needs text whose UTF-8 size exceeds its char count");
        var md = JobSummary.Render(result, budget);
        Assert.That(Encoding.UTF8.GetByteCount(md), Is.LessThanOrEqualTo(budget));
        Assert.That(md, Does.StartWith("## ModelGate"));
        Assert.That(md, Does.Contain("section(s) left out to stay under GitHub's 1 MiB"));
        Assert.That(md, Does.Not.Contain("### Findings"));
    }

    [Test]
    public void AppendRespectsWhatOtherStepsAlreadyWrote()
    {
        var dir = SharedFixtures.TempDir("mg-summary");
        try
        {
            var path = Path.Combine(dir, "summary.md");
            File.WriteAllText(path, new string('x', JobSummary.MaxStepSummaryBytes - 300));
            JobSummary.Append(path, TestResults.Make(findings: TestResults.Many(50, 0, 0)));
            Assert.That(new FileInfo(path).Length, Is.LessThanOrEqualTo(JobSummary.MaxStepSummaryBytes));
            Assert.That(File.ReadAllText(path), Does.Contain("## ModelGate"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void ConcurrentAppendsDoNotInterleave()
    {
        var dir = SharedFixtures.TempDir("mg-summary");
        try
        {
            var path = Path.Combine(dir, "summary.md");
            var result = TestResults.Make(findings: TestResults.Many(30, 30, 0));
            var one = JobSummary.Render(result);
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => JobSummary.Append(path, result));
            Assert.That(File.ReadAllText(path), Is.EqualTo(string.Concat(Enumerable.Repeat(one, 8))));
        }
        finally { Directory.Delete(dir, true); }
    }
}

public class CrossProcessLockTests
{
    [Test]
    public void AppendWaitsForAnotherProcessHoldingTheLock()
    {
        if (!File.Exists("/usr/bin/flock")) Assert.Ignore("util-linux flock is not installed");
        var dir = SharedFixtures.TempDir("mg-lock");
        try
        {
            var path = Path.Combine(dir, "summary.md");
            File.WriteAllText(path, "");
            // Another process takes the same kind of lock .NET takes for FileShare.None (flock LOCK_EX) and appends after a pause.
            using var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/flock",
                ["-x", path, "-c", $"sleep 0.8; printf 'other\\n' >> '{path}'"]) { UseShellExecute = false })!;
            Thread.Sleep(300); // let it take the lock first
            var clock = System.Diagnostics.Stopwatch.StartNew();
            JobSummary.Append(path, TestResults.Make());
            clock.Stop();
            holder.WaitForExit();
            Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromMilliseconds(200)), "Append must wait for the other writer");
            Assert.That(File.ReadAllText(path), Does.StartWith("other\n## ModelGate"));
        }
        finally { Directory.Delete(dir, true); }
    }
}

public class StepOutputTests
{
    private static Dictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var head = lines[i];
            if (head.Length == 0) continue;
            var at = head.IndexOf("<<", StringComparison.Ordinal);
            var name = head[..at];
            var delimiter = head[(at + 2)..];
            var body = new List<string>();
            while (lines[++i] != delimiter) body.Add(lines[i]);
            values.Add(name, string.Join('\n', body));
        }
        return values;
    }

    [Test]
    public void MultilineValuesRoundTripThroughTheHeredocForm()
    {
        var dir = SharedFixtures.TempDir("mg-output");
        try
        {
            var path = Path.Combine(dir, "out");
            var outputs = StepOutputs.From(TestResults.Make(Verdict.Warn), new Dictionary<string, string> { ["json"] = "out/report.json", ["sarif"] = "weird\nname=EOF\nverdict=pass" });
            StepOutputs.Write(path, outputs);
            var parsed = Parse(File.ReadAllText(path));
            Assert.That(parsed["verdict"], Is.EqualTo("warn"));
            Assert.That(parsed["score"], Is.EqualTo("0.93"));
            Assert.That(parsed["findings"], Is.EqualTo("1"));
            Assert.That(parsed["report-json"], Is.EqualTo("out/report.json"));
            Assert.That(parsed["report-sarif"], Is.EqualTo("weird\nname=EOF\nverdict=pass"));
            Assert.That(parsed, Has.Count.EqualTo(5));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void DelimitersAreRandom()
    {
        var outputs = new[] { new KeyValuePair<string, string>("a", "1") };
        var first = StepOutputs.Render(outputs);
        var second = StepOutputs.Render(outputs);
        Assert.That(first, Is.Not.EqualTo(second));
    }
}
