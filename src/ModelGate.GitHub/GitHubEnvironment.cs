namespace ModelGate.GitHub;

/// <summary>The parts of the GitHub Actions environment ModelGate reads. Nothing else in the product reads these variables.</summary>
public sealed record GitHubEnvironment(
    bool IsActions,
    string? Repository,
    string? Sha,
    string ApiUrl,
    string? Token,
    string? StepSummaryPath,
    string? OutputPath,
    string? EventPath)
{
    public static GitHubEnvironment FromEnvironment(Func<string, string?>? get = null)
    {
        get ??= Environment.GetEnvironmentVariable;
        return new GitHubEnvironment(
            IsActions: string.Equals(get("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase),
            Repository: get("GITHUB_REPOSITORY"),
            Sha: get("GITHUB_SHA"),
            ApiUrl: get("GITHUB_API_URL") is { Length: > 0 } api ? api : "https://api.github.com",
            Token: get("GITHUB_TOKEN"),
            StepSummaryPath: get("GITHUB_STEP_SUMMARY"),
            OutputPath: get("GITHUB_OUTPUT"),
            EventPath: get("GITHUB_EVENT_PATH"));
    }
}
