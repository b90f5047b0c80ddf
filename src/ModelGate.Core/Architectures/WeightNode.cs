using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Core.Architectures;

/// <summary>
/// One level of a dotted checkpoint name ("model" → "layers" → "0" → "self_attn" …) as a torch module, so that
/// named_parameters() and state_dict() of the model use exactly the Hugging Face checkpoint keys.
/// </summary>
internal sealed class WeightNode(string name) : nn.Module(name)
{
    private readonly Dictionary<string, WeightNode> _children = new(StringComparer.Ordinal);

    public WeightNode Child(string segment)
    {
        if (_children.TryGetValue(segment, out var c)) return c;
        c = new WeightNode(segment);
        _children[segment] = c;
        register_module(segment, c);
        return c;
    }

    /// <summary>Registers a parameter under a dotted path below this node.</summary>
    public void Add(string dottedName, TorchSharp.Modules.Parameter p)
    {
        var parts = dottedName.Split('.');
        var node = this;
        for (var i = 0; i < parts.Length - 1; i++) node = node.Child(parts[i]);
        node.register_parameter(parts[^1], p);
    }
}
