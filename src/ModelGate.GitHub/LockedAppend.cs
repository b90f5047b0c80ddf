using System.Text;

namespace ModelGate.GitHub;

/// <summary>
/// Appends to a file shared by several processes (parallel MSBuild nodes writing one GITHUB_STEP_SUMMARY). FileMode.Append
/// alone is not atomic in .NET, so we take an exclusive lock (FileShare.None, an flock on Unix), seek to the end and
/// write the whole text in one call.
/// </summary>
internal static class LockedAppend
{
    /// <summary>Appends the text that <paramref name="render"/> makes from the file's current length (in bytes).</summary>
    public static void Append(string path, Func<long, string> render, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var delay = 5;
        while (true)
        {
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (IsSharingViolation(e) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(delay); // another writer holds the lock
                delay = Math.Min(delay * 2, 100);
                continue;
            }
            using (stream)
            {
                var bytes = Encoding.UTF8.GetBytes(render(stream.Length));
                stream.Seek(0, SeekOrigin.End);
                stream.Write(bytes);
                stream.Flush(flushToDisk: false);
            }
            return;
        }
    }

    /// <summary>Only "locked by another writer" is worth waiting for; a missing folder or a permission error is not.</summary>
    /// (On Unix the lock conflict's HResult is not Windows' 32, so the test is by exclusion.)
    private static bool IsSharingViolation(IOException e) =>
        e is not (DirectoryNotFoundException or FileNotFoundException or PathTooLongException or DriveNotFoundException);
}
