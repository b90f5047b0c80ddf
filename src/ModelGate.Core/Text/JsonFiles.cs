using System.Text.Json;

namespace ModelGate.Core.Text;

/// <summary>Reads JSON files with a one-line error naming the file and the position of the problem.</summary>
internal static class JsonFiles
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), Options);
        }
        catch (JsonException e)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, $"invalid JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}", path, e);
        }
        catch (IOException e)
        {
            throw new ModelGateException(ErrorKind.InvalidModel, $"cannot read ({e.Message})", path, e);
        }
    }
}
