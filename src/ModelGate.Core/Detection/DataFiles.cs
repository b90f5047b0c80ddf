namespace ModelGate.Core.Detection;

/// <summary>The data files embedded from Detection/Data: one entry per line, blank lines and # comments skipped.</summary>
public static class DataFiles
{
    public static IReadOnlyList<string> Lines(string fileName)
    {
        var name = $"ModelGate.Core.Detection.Data.{fileName}";
        using var s = typeof(DataFiles).Assembly.GetManifestResourceStream(name)
            ?? throw new ModelGateException(ErrorKind.Engine, $"embedded resource {name} is missing from the build");
        using var r = new StreamReader(s);
        return r.ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
    }
}
