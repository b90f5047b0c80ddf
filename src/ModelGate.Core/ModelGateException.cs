namespace ModelGate.Core;

/// <summary>What went wrong, coarse enough to pick an exit code and an MSBuild code from.</summary>
public enum ErrorKind
{
    /// <summary>A model file is missing, malformed or inconsistent (bad input).</summary>
    InvalidModel,
    /// <summary>The architecture or format is valid but not supported.</summary>
    Unsupported,
    /// <summary>The native engine failed (libtorch load, device, out of memory).</summary>
    Engine,
    /// <summary>A detector crashed or ran out of budget.</summary>
    Detector,
    /// <summary>A policy or calibration file is malformed.</summary>
    Policy,
    /// <summary>Bad command-line usage.</summary>
    Usage,
    /// <summary>Nothing scannable was found at the given path.</summary>
    NothingScannable,
    /// <summary>An output (report, canary directory) could not be written.</summary>
    Output,
}

/// <summary>
/// The one exception type ModelGate throws for expected failures. The message is a single line that names
/// the file (when there is one) and the problem, ready to show a user as it is.
/// </summary>
public sealed class ModelGateException : Exception
{
    public ModelGateException(ErrorKind kind, string message, string? file = null, Exception? inner = null)
        : base(file is null ? message : $"{file}: {message}", inner)
    {
        Kind = kind;
        File = file;
    }

    public ErrorKind Kind { get; }
    public string? File { get; }
}
