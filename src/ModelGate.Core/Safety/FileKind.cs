namespace ModelGate.Core.Safety;

/// <summary>What a file really is, judged by its bytes. Names are the strings stored in <see cref="Reporting.FileDigest.Kind"/>.</summary>
public static class FileKind
{
    public const string Safetensors = "safetensors";
    public const string Pickle = "pickle";
    public const string Zip = "zip";
    public const string Numpy = "numpy";
    public const string Gguf = "gguf";
    public const string Executable = "executable";
    public const string Json = "json";
    public const string Text = "text";
    public const string Empty = "empty";
    public const string Unknown = "unknown";
}
