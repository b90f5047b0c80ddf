using System.Text;

namespace ModelGate.GitHub;

/// <summary>
/// GitHub Actions workflow commands (<c>::error file=F,line=L,title=T::message</c>). Data and property values are
/// escaped as the runner unescapes them, so a message containing "::", commas or newlines cannot break or forge a command.
/// </summary>
public static class WorkflowCommands
{
    /// <summary>Escaping for the message part: % first, then CR and LF.</summary>
    public static string EscapeData(string value) =>
        value.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    /// <summary>Escaping for property values: as data, plus ':' and ',' which separate properties.</summary>
    public static string EscapeProperty(string value) =>
        EscapeData(value).Replace(":", "%3A").Replace(",", "%2C");

    /// <summary>Formats one command; properties with null values are left out, the rest keep their order.</summary>
    public static string Format(string command, string message, params (string Name, string? Value)[] properties)
    {
        var sb = new StringBuilder("::").Append(command);
        var first = true;
        foreach (var (name, value) in properties)
        {
            if (value is null) continue;
            sb.Append(first ? ' ' : ',').Append(name).Append('=').Append(EscapeProperty(value));
            first = false;
        }
        return sb.Append("::").Append(EscapeData(message)).ToString();
    }
}
