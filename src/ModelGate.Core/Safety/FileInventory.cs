using System.Security.Cryptography;
using ModelGate.Core.Reporting;

namespace ModelGate.Core.Safety;

/// <summary>
/// Lists every file under a model directory with its size, SHA-256 and sniffed kind, so a verdict is tied to exact
/// bytes. Paths are relative with '/' separators and sorted ordinally, so the list is the same on every OS.
/// </summary>
public static class FileInventory
{
    public static IReadOnlyList<FileDigest> Build(string modelDir)
    {
        if (!Directory.Exists(modelDir))
            throw new ModelGateException(ErrorKind.NothingScannable, "model directory does not exist", modelDir);
        var root = Path.GetFullPath(modelDir);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        return Directory.EnumerateFiles(root, "*", options)
            .Select(full => (full, relative: Path.GetRelativePath(root, full).Replace('\\', '/')))
            .OrderBy(f => f.relative, StringComparer.Ordinal)
            .Select(f => Digest(f.full, f.relative))
            .ToList();
    }

    public static FileDigest Digest(string fullPath, string relativePath)
    {
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            var sha = Convert.ToHexStringLower(SHA256.HashData(stream)); // streamed: weights never sit in memory whole
            stream.Position = 0;
            var kind = FileKindSniffer.Sniff(stream);
            return new FileDigest(relativePath, stream.Length, sha, kind);
        }
        catch (IOException e)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, $"cannot read file: {e.Message}", fullPath, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, "file is not readable", fullPath, e);
        }
    }
}
