using System.Xml;
using System.Xml.Linq;

namespace ModelGate.MSBuild;

/// <summary>
/// Finds the line and column of the &lt;ModelGateModel Include="..."&gt; element that declared a model, by reading
/// the project XML with line information, so diagnostics click through to the declaration.
/// </summary>
internal static class DeclarationLocator
{
    public static (int Line, int Column) Find(string projectFile, string modelInclude)
    {
        try
        {
            var doc = XDocument.Load(projectFile, LoadOptions.SetLineInfo);
            var wanted = Normalise(modelInclude);
            foreach (var element in doc.Descendants().Where(e => e.Name.LocalName == "ModelGateModel"))
            {
                var include = (string?)element.Attribute("Include");
                if (include is null) continue;
                // An Include may list several models separated by ';'.
                if (include.Split(';').Select(Normalise).Contains(wanted))
                {
                    var info = (IXmlLineInfo)element;
                    // LinePosition points at the element name; MSBuild columns count from the '<'.
                    return (info.LineNumber, Math.Max(1, info.LinePosition - 1));
                }
            }
        }
        catch (Exception e) when (e is XmlException or IOException or UnauthorizedAccessException)
        {
            // A project we cannot parse still builds; the diagnostic then points at the file without a line.
        }
        return (0, 0);
    }

    private static string Normalise(string path) => path.Trim().Replace('\\', '/').TrimEnd('/');
}
