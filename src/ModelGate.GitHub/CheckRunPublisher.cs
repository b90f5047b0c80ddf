using System.Globalization;
using System.Net;
using System.Text.Json;
using ModelGate.Core.Reporting;
using Octokit;

namespace ModelGate.GitHub;

/// <summary>What publishing did. Publishing never throws: a failure is a result the caller reports and moves past.</summary>
public sealed record CheckRunOutcome(bool Created, long? CheckRunId, int AnnotationsSent, bool Forbidden, string Message);

/// <summary>
/// Creates a GitHub check run for a scan: the first 50 annotations on create, the rest by PATCH in batches of 50 (they
/// append), text fields truncated to the API's limits, 429/5xx retried honouring Retry-After within a bound.
/// </summary>
public sealed class CheckRunPublisher
{
    public const int AnnotationsPerRequest = 50;
    public const int MaxOutputChars = 65_535;
    public const int MaxTitleChars = 255;
    public const string DefaultCheckName = "ModelGate";

    private readonly IGitHubClient _client;
    private readonly Func<TimeSpan, Task> _delay;

    /// <summary>Retries after the first attempt, for 429 and 5xx.</summary>
    public int MaxRetries { get; init; } = 3;
    /// <summary>Longest single wait, whatever Retry-After asks for; a longer wait gives up rather than stall the job.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    public CheckRunPublisher(IGitHubClient client, Func<TimeSpan, Task>? delay = null)
    {
        _client = client;
        _delay = delay ?? (t => Task.Delay(t));
    }

    /// <summary>The real client for the Actions environment: GITHUB_API_URL (GHES too), token from the environment only.</summary>
    public static GitHubClient CreateClient(GitHubEnvironment env)
    {
        var client = new GitHubClient(new ProductHeaderValue("ModelGate"), new Uri(env.ApiUrl));
        if (!string.IsNullOrEmpty(env.Token)) client.Credentials = new Credentials(env.Token);
        return client;
    }

    /// <summary>pull_request events run on a merge commit; the check belongs on the PR head, which only the event payload names.</summary>
    public static string? ResolveHeadSha(GitHubEnvironment env)
    {
        if (env.EventPath is { Length: > 0 } path && File.Exists(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                if (doc.RootElement.TryGetProperty("pull_request", out var pr)
                    && pr.TryGetProperty("head", out var head)
                    && head.TryGetProperty("sha", out var sha)
                    && sha.ValueKind == JsonValueKind.String)
                    return sha.GetString();
            }
            catch (JsonException) { /* an unreadable payload is not a PR payload; fall back to GITHUB_SHA */ }
        }
        return env.Sha;
    }

    public async Task<CheckRunOutcome> PublishAsync(ScanResult result, GitHubEnvironment env, string checkName = DefaultCheckName)
    {
        var sent = 0;
        long? id = null;
        try
        {
            if (env.Repository?.Split('/') is not [var owner, var repo] || owner.Length == 0 || repo.Length == 0)
                return new CheckRunOutcome(false, null, 0, false, "GITHUB_REPOSITORY is not set as owner/repo; no check run created.");
            var headSha = ResolveHeadSha(env);
            if (string.IsNullOrEmpty(headSha))
                return new CheckRunOutcome(false, null, 0, false, "no head SHA (GITHUB_SHA or the pull_request payload); no check run created.");

            var annotations = ScanAnnotations.From(result).Select(ToCheckAnnotation).ToList();
            var title = Truncate($"ModelGate: {result.Verdict.ToString().ToUpperInvariant()} (score {result.Score.ToString("0.###", CultureInfo.InvariantCulture)})", MaxTitleChars);
            var summary = Truncate(JobSummary.Sections(result)[0], MaxOutputChars);
            var text = Truncate(string.Concat(JobSummary.Sections(result).Skip(1)), MaxOutputChars);

            var create = new NewCheckRun(checkName, headSha)
            {
                Status = CheckStatus.Completed,
                Conclusion = Conclusion(result.Verdict),
                StartedAt = result.StartedAt,
                CompletedAt = result.StartedAt + TimeSpan.FromSeconds(result.DurationSeconds),
                Output = new NewCheckRunOutput(title, summary) { Text = text, Annotations = annotations.Take(AnnotationsPerRequest).ToList() },
            };
            var run = await WithRetry(() => _client.Check.Run.Create(owner, repo, create)).ConfigureAwait(false);
            id = run.Id;
            sent = Math.Min(annotations.Count, AnnotationsPerRequest);

            for (var i = AnnotationsPerRequest; i < annotations.Count; i += AnnotationsPerRequest)
            {
                var batch = annotations.Skip(i).Take(AnnotationsPerRequest).ToList();
                // Update requires output.summary; title and summary are repeated so the run's output is unchanged.
                var update = new CheckRunUpdate { Output = new NewCheckRunOutput(title, summary) { Annotations = batch } };
                await WithRetry(() => _client.Check.Run.Update(owner, repo, run.Id, update)).ConfigureAwait(false);
                sent += batch.Count;
            }
            return new CheckRunOutcome(true, id, sent, false, $"check run {id} created with {sent} annotation(s).");
        }
        catch (ForbiddenException e)
        {
            // Fork pull requests get a read-only token: "Resource not accessible by integration".
            return new CheckRunOutcome(id is not null, id, sent, true,
                $"GitHub refused the check run (403: {e.Message}); falling back to workflow annotations and the job summary. Grant 'checks: write', or use the workflow_run pattern for fork PRs.");
        }
        catch (ApiException e)
        {
            return new CheckRunOutcome(id is not null, id, sent, false, $"check run publishing failed ({(int)e.StatusCode}: {e.Message}); annotations and the job summary are used instead.");
        }
        catch (Exception e) // publishing is best-effort by contract: network, TLS, JSON, anything; the gate still decides
        {
            return new CheckRunOutcome(id is not null, id, sent, false, $"check run publishing failed ({e.GetType().Name}: {e.Message}); annotations and the job summary are used instead.");
        }
    }

    private async Task<T> WithRetry<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (ApiException e) when (attempt < MaxRetries && IsRetryable(e) && RetryDelay(e, attempt) is { } wait && wait <= MaxRetryDelay)
            {
                await _delay(wait).ConfigureAwait(false);
            }
        }
    }

    private static bool IsRetryable(ApiException e)
    {
        var status = (int)e.StatusCode;
        return status == 429 || status >= 500
            || (e is SecondaryRateLimitExceededException or RateLimitExceededException); // 403 rate limits are waits, not refusals
    }

    /// <summary>Retry-After in seconds (or an HTTP date) when given; else exponential backoff 1, 2, 4 s.</summary>
    internal static TimeSpan RetryDelay(ApiException e, int attempt)
    {
        var headers = e.HttpResponse?.Headers;
        var value = headers?.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value;
        if (value is not null)
        {
            if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                return TimeSpan.FromSeconds(seconds);
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
                return when > DateTimeOffset.UtcNow ? when - DateTimeOffset.UtcNow : TimeSpan.Zero;
        }
        return TimeSpan.FromSeconds(1 << attempt);
    }

    private static CheckConclusion Conclusion(Verdict verdict) => verdict switch
    {
        Verdict.Pass => CheckConclusion.Success,
        Verdict.Warn => CheckConclusion.Neutral,
        _ => CheckConclusion.Failure, // Fail and Error: an unchecked model is never a pass
    };

    private static NewCheckRunAnnotation ToCheckAnnotation(Annotation a)
    {
        var line = Math.Max(1, a.Line ?? 1);
        var level = a.Level switch { AnnotationLevel.Error => CheckAnnotationLevel.Failure, AnnotationLevel.Warning => CheckAnnotationLevel.Warning, _ => CheckAnnotationLevel.Notice };
        // Check-run annotations need a path; without a declaring line they sit on the model path's first line.
        return new NewCheckRunAnnotation(a.File ?? ".", line, line, level, Truncate(a.Message, MaxOutputChars)) { Title = Truncate(a.Title, MaxTitleChars) };
    }

    /// <summary>Truncates to a character limit without splitting a surrogate pair, marking the cut.</summary>
    internal static string Truncate(string text, int maxChars)
    {
        if (text.Length <= maxChars) return text;
        const string marker = "\n… (truncated)";
        var keep = maxChars - marker.Length;
        if (char.IsHighSurrogate(text[keep - 1])) keep--;
        return text[..keep] + marker;
    }
}
