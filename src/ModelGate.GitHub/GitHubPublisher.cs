using ModelGate.Core.Reporting;

namespace ModelGate.GitHub;

/// <summary>What publishing to GitHub did, in lines a user can read in the log.</summary>
public sealed record GitHubPublishReport(CheckRunOutcome? CheckRun, bool AnnotationsWritten, bool SummaryWritten, bool OutputsWritten, IReadOnlyList<string> Notes);

/// <summary>
/// Publishes a scan to GitHub: check run when the token allows, otherwise workflow-command annotations; always the job
/// summary and step outputs when their files are given. Runs before the gate fails the step, and never throws.
/// </summary>
public static class GitHubPublisher
{
    /// <summary>Wanted when --github was given, or automatically inside GitHub Actions.</summary>
    public static bool IsWanted(GitHubEnvironment env, bool githubFlag) => githubFlag || env.IsActions;

    public static async Task<GitHubPublishReport> PublishAsync(
        ScanResult result, GitHubEnvironment env, TextWriter stdout,
        IReadOnlyDictionary<string, string>? reportPaths = null, CheckRunPublisher? checkRuns = null)
    {
        var notes = new List<string>();
        CheckRunOutcome? outcome = null;
        if (!string.IsNullOrEmpty(env.Token) && !string.IsNullOrEmpty(env.Repository))
        {
            checkRuns ??= new CheckRunPublisher(CheckRunPublisher.CreateClient(env));
            outcome = await checkRuns.PublishAsync(result, env).ConfigureAwait(false);
            notes.Add(outcome.Message);
        }
        else notes.Add("no GITHUB_TOKEN/GITHUB_REPOSITORY: check run skipped; using workflow annotations.");

        // Annotations by workflow command whenever the check run did not carry them all (fork PRs, no token, errors).
        var annotationsWritten = false;
        if (outcome is not { Created: true } || outcome.AnnotationsSent < ScanAnnotations.From(result).Count)
        {
            foreach (var line in ScanAnnotations.ToWorkflowCommands(result)) stdout.WriteLine(line);
            annotationsWritten = true;
        }

        var summaryWritten = TryWrite(() => { if (env.StepSummaryPath is { Length: > 0 } p) JobSummary.Append(p, result); }, "job summary", notes)
            && env.StepSummaryPath is { Length: > 0 };
        var outputsWritten = TryWrite(() => { if (env.OutputPath is { Length: > 0 } p) StepOutputs.Write(p, StepOutputs.From(result, reportPaths)); }, "step outputs", notes)
            && env.OutputPath is { Length: > 0 };
        return new GitHubPublishReport(outcome, annotationsWritten, summaryWritten, outputsWritten, notes);
    }

    private static bool TryWrite(Action write, string what, List<string> notes)
    {
        try { write(); return true; }
        catch (Exception e) // a summary that cannot be written must not hide the verdict
        {
            notes.Add($"could not write the {what}: {e.Message}");
            return false;
        }
    }
}
