namespace ModelGate.Core;

/// <summary>
/// The process exit codes, defined once. Every adapter (CLI, MSBuild task, Action) maps through these.
/// The shape follows other model scanners (modelscan, modelaudit): errors are never a pass.
/// </summary>
public static class ExitCodes
{
    /// <summary>The gate passed (including WARN unless the policy fails on warnings).</summary>
    public const int Pass = 0;
    /// <summary>The gate failed: a finding at or above the policy's fail level.</summary>
    public const int GateFailed = 1;
    /// <summary>Error: bad input, crash, timeout, unsupported model. Never a pass.</summary>
    public const int Error = 2;
    /// <summary>Nothing scannable was found at the given path.</summary>
    public const int NothingScannable = 3;
    /// <summary>Usage error: unknown option, missing argument.</summary>
    public const int Usage = 4;

    public static int For(ErrorKind kind) => kind switch
    {
        ErrorKind.Usage => Usage,
        ErrorKind.NothingScannable => NothingScannable,
        _ => Error,
    };
}
