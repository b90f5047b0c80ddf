using System.Text.Json.Nodes;
using ModelGate.Core.Reporting;
using ModelGate.Tests.Shared;

namespace ModelGate.GitHub.Tests;

[NonParallelizable]
public class CheckRunPublisherTests
{
    private const string Token = "ghs_testtoken_DO_NOT_PRINT_123";
    private FakeChecksApi _api = null!;
    private string _dir = "";
    private readonly List<TimeSpan> _delays = [];

    [SetUp]
    public void SetUp()
    {
        _api = new FakeChecksApi();
        _dir = SharedFixtures.TempDir("mg-checks");
        _delays.Clear();
    }

    [TearDown]
    public void TearDown()
    {
        _api.Dispose();
        Directory.Delete(_dir, true);
    }

    private GitHubEnvironment Env(string? eventPath = null) => new(
        IsActions: true, Repository: "octo/models", Sha: "1111111111111111111111111111111111111111", ApiUrl: _api.BaseUrl,
        Token: Token, StepSummaryPath: Path.Combine(_dir, "summary.md"), OutputPath: Path.Combine(_dir, "output"), EventPath: eventPath);

    private CheckRunPublisher Publisher(GitHubEnvironment env) =>
        new(CheckRunPublisher.CreateClient(env), t => { _delays.Add(t); return Task.CompletedTask; });

    private void AssertAllRequestsValid()
    {
        Assert.That(_api.Requests, Is.Not.Empty);
        foreach (var r in _api.Requests) Assert.That(r.SchemaErrors, Is.Empty, $"{r.Method} {r.Path}");
    }

    [Test]
    public async Task MoreThanFiftyAnnotationsGoInBatchesOfFifty()
    {
        var env = Env();
        var outcome = await Publisher(env).PublishAsync(TestResults.Make(findings: TestResults.Many(70, 40, 10)), env);

        Assert.That(outcome.Created, Is.True, outcome.Message);
        Assert.That(outcome.AnnotationsSent, Is.EqualTo(120));
        var requests = _api.Requests;
        Assert.That(requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "PATCH", "PATCH" }));
        Assert.That(requests.Select(r => r.Body!["output"]!["annotations"]!.AsArray().Count), Is.EqualTo(new[] { 50, 50, 20 }));
        Assert.That(requests.Skip(1).All(r => r.Path.EndsWith($"/check-runs/{outcome.CheckRunId}", StringComparison.Ordinal)), Is.True);
        var create = requests[0].Body!;
        Assert.That(create["conclusion"]!.GetValue<string>(), Is.EqualTo("failure"));
        Assert.That(create["head_sha"]!.GetValue<string>(), Is.EqualTo(env.Sha));
        var first = create["output"]!["annotations"]![0]!;
        Assert.That(first["annotation_level"]!.GetValue<string>(), Is.EqualTo("failure"));
        Assert.That(first["path"]!.GetValue<string>(), Is.EqualTo("modelgate.yml"));
        Assert.That(first["start_line"]!.GetValue<int>(), Is.EqualTo(7));
        Assert.That(requests.Select(r => r.Authorization), Has.All.EndsWith(" " + Token), "the token is sent to the API");
        AssertAllRequestsValid();
    }

    [Test]
    public async Task OversizedTextIsTruncatedToTheApiLimits()
    {
        var huge = TestResults.Many(300, 0, 0).Select(f => f with { Title = new string('t', 400), Message = new string('m', 70_000) });
        var env = Env();
        var outcome = await Publisher(env).PublishAsync(TestResults.Make(findings: huge), env);

        Assert.That(outcome.Created, Is.True, outcome.Message);
        var output = _api.Requests[0].Body!["output"]!;
        Assert.That(output["text"]!.GetValue<string>().Length, Is.LessThanOrEqualTo(CheckRunPublisher.MaxOutputChars));
        Assert.That(output["text"]!.GetValue<string>(), Does.EndWith("(truncated)"));
        Assert.That(output["annotations"]![0]!["title"]!.GetValue<string>().Length, Is.LessThanOrEqualTo(255));
        AssertAllRequestsValid();
    }

    [Test]
    public async Task ForkStyle403FallsBackToAnnotationsAndSummary()
    {
        _api.Enqueue(FakeChecksApi.Forbidden());
        var env = Env();
        var stdout = new StringWriter();
        var report = await GitHubPublisher.PublishAsync(TestResults.Make(findings: TestResults.Many(2, 1, 0)), env, stdout, checkRuns: Publisher(env));

        Assert.That(report.CheckRun!.Forbidden, Is.True);
        Assert.That(report.CheckRun.Created, Is.False);
        Assert.That(report.Notes[0], Does.Contain("403").And.Contain("falling back"));
        Assert.That(report.AnnotationsWritten, Is.True);
        Assert.That(stdout.ToString(), Does.StartWith("::error file=modelgate.yml,line=7"));
        Assert.That(File.ReadAllText(env.StepSummaryPath!), Does.StartWith("## ModelGate: ❌ FAIL"));
        Assert.That(File.ReadAllText(env.OutputPath!), Does.Contain("verdict<<"));
        Assert.That(_delays, Is.Empty, "a permission refusal is not retried");
        Assert.That(stdout.ToString() + string.Join("\n", report.Notes), Does.Not.Contain(Token));
        AssertAllRequestsValid();
    }

    [Test]
    public async Task TooManyRequestsIsRetriedAfterRetryAfter()
    {
        _api.Enqueue(FakeChecksApi.TooMany(7));
        _api.Enqueue(new FakeChecksApi.Reply(503, """{"message":"unavailable"}"""));
        var env = Env();
        var outcome = await Publisher(env).PublishAsync(TestResults.Make(), env);

        Assert.That(outcome.Created, Is.True, outcome.Message);
        Assert.That(_delays, Is.EqualTo(new[] { TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(2) }), "Retry-After honoured, then backoff");
        Assert.That(_api.Requests, Has.Count.EqualTo(3));
        AssertAllRequestsValid();
    }

    [Test]
    public async Task RetriesAreBoundedAndNeverThrow()
    {
        for (var i = 0; i < 10; i++) _api.Enqueue(FakeChecksApi.TooMany(1));
        var env = Env();
        var outcome = await Publisher(env).PublishAsync(TestResults.Make(), env);
        Assert.That(outcome.Created, Is.False);
        Assert.That(outcome.Message, Does.Contain("429"));
        Assert.That(_api.Requests, Has.Count.EqualTo(4), "one try and three retries");
    }

    [Test]
    public async Task RetryAfterBeyondTheBoundIsNotWaitedFor()
    {
        _api.Enqueue(FakeChecksApi.TooMany(3600));
        var env = Env();
        var outcome = await Publisher(env).PublishAsync(TestResults.Make(), env);
        Assert.That(outcome.Created, Is.False);
        Assert.That(_delays, Is.Empty);
    }

    [Test]
    public async Task ValidationErrorIsReportedNotThrown()
    {
        _api.Enqueue(FakeChecksApi.Unprocessable());
        var env = Env();
        var outcome = await Publisher(env).PublishAsync(TestResults.Make(), env);
        Assert.That(outcome.Created, Is.False);
        Assert.That(outcome.Message, Does.Contain("422"));
    }

    [Test]
    public async Task HeadShaComesFromThePullRequestEvent()
    {
        var eventPath = Path.Combine(_dir, "event.json");
        File.WriteAllText(eventPath, new JsonObject
        {
            ["action"] = "synchronize",
            ["pull_request"] = new JsonObject { ["number"] = 5, ["head"] = new JsonObject { ["sha"] = "abcdefabcdefabcdefabcdefabcdefabcdefabcd" } },
        }.ToJsonString());
        var env = Env(eventPath);
        var outcome = await Publisher(env).PublishAsync(TestResults.Make(Verdict.Pass, findings: []), env);

        Assert.That(outcome.Created, Is.True, outcome.Message);
        var body = _api.Requests.Single().Body!;
        Assert.That(body["head_sha"]!.GetValue<string>(), Is.EqualTo("abcdefabcdefabcdefabcdefabcdefabcdefabcd"));
        Assert.That(body["conclusion"]!.GetValue<string>(), Is.EqualTo("success"));
        AssertAllRequestsValid();
    }

    [Test]
    public void PushEventFallsBackToGithubSha()
    {
        var eventPath = Path.Combine(_dir, "push.json");
        File.WriteAllText(eventPath, """{"ref":"refs/heads/main","after":"2222"}""");
        Assert.That(CheckRunPublisher.ResolveHeadSha(Env(eventPath)), Is.EqualTo("1111111111111111111111111111111111111111"));
    }

    [Test]
    public async Task CreatedCheckRunCarriesAnnotationsSoNoWorkflowCommandsAreEmitted()
    {
        var env = Env();
        var stdout = new StringWriter();
        var report = await GitHubPublisher.PublishAsync(TestResults.Make(), env, stdout, checkRuns: Publisher(env));
        Assert.That(report.CheckRun!.Created, Is.True);
        Assert.That(report.AnnotationsWritten, Is.False);
        Assert.That(stdout.ToString(), Is.Empty);
        Assert.That(report.SummaryWritten && report.OutputsWritten, Is.True);
    }

    [Test]
    public void IsWantedInActionsOrWithTheFlag()
    {
        var outside = GitHubEnvironment.FromEnvironment(_ => null);
        Assert.That(GitHubPublisher.IsWanted(outside, githubFlag: false), Is.False);
        Assert.That(GitHubPublisher.IsWanted(outside, githubFlag: true), Is.True);
        Assert.That(GitHubPublisher.IsWanted(Env(), githubFlag: false), Is.True);
    }
}

/// <summary>The fake server's schema check must be able to fail, or the tests above prove nothing.</summary>
public class FakeChecksApiSelfTests
{
    [Test]
    public async Task SchemaViolationsAreRecorded()
    {
        using var api = new FakeChecksApi();
        using var http = new HttpClient();
        var annotations = new JsonArray();
        for (var i = 0; i < 51; i++)
            annotations.Add(new JsonObject { ["path"] = "a", ["start_line"] = 1, ["end_line"] = 1, ["annotation_level"] = "failure", ["message"] = "m" });
        var body = new JsonObject { ["name"] = "x", ["head_sha"] = "y", ["output"] = new JsonObject { ["title"] = "t", ["summary"] = "s", ["annotations"] = annotations } };
        var response = await http.PostAsync(api.BaseUrl + "repos/o/r/check-runs", new StringContent(body.ToJsonString()));
        Assert.That((int)response.StatusCode, Is.EqualTo(422));
        Assert.That(api.Requests.Single().SchemaErrors, Is.Not.Empty);

        var missingSha = new JsonObject { ["name"] = "x" };
        await http.PostAsync(api.BaseUrl + "repos/o/r/check-runs", new StringContent(missingSha.ToJsonString()));
        Assert.That(api.Requests[1].SchemaErrors, Is.Not.Empty);
    }
}

public class PublisherRobustnessTests
{
    [Test]
    public async Task UnreachableApiAndUnwritableFilesAreNotesNotExceptions()
    {
        // Port 1 on loopback refuses connections; the summary and output paths point into a folder that does not exist.
        var env = new GitHubEnvironment(true, "octo/models", "1111111111111111111111111111111111111111", "http://127.0.0.1:1/",
            "ghs_secret_token", "/nonexistent-dir/summary.md", "/nonexistent-dir/output", null);
        var stdout = new StringWriter();
        var report = await GitHubPublisher.PublishAsync(TestResults.Make(), env, stdout,
            checkRuns: new CheckRunPublisher(CheckRunPublisher.CreateClient(env), _ => Task.CompletedTask));
        Assert.That(report.CheckRun!.Created, Is.False);
        Assert.That(report.AnnotationsWritten, Is.True);
        Assert.That(stdout.ToString(), Does.StartWith("::error "));
        Assert.That(report.SummaryWritten || report.OutputsWritten, Is.False);
        Assert.That(report.Notes, Has.Count.EqualTo(3));
        Assert.That(string.Join("\n", report.Notes) + stdout, Does.Not.Contain("ghs_secret_token"));
    }
}
