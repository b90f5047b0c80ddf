using ModelGate.Core.Reporting;
using ModelGate.Core.Text;

namespace ModelGate.Core.Inference;

/// <summary>
/// Everything a scan needs from one model directory, loaded once: the network, its tokenizer, the prompt format
/// real users' text goes through, and the provenance of every file. Dispose releases the weights.
/// </summary>
public sealed class LoadedModel(string directory, ICausalLM model, ITokenizer tokenizer, IPromptFormatter prompts, IReadOnlyList<FileDigest> files)
    : IDisposable
{
    public string Directory { get; } = directory;
    public ICausalLM Model { get; } = model;
    public ITokenizer Tokenizer { get; } = tokenizer;
    public IPromptFormatter Prompts { get; } = prompts;
    public IReadOnlyList<FileDigest> Files { get; } = files;

    public void Dispose() => Model.Dispose();
}
