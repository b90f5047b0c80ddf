using System.CommandLine;
using ModelGate.Core;
using ModelGate.Core.Loading;

namespace ModelGate.Cli.Commands;

/// <summary>`modelgate inspect MODEL`: loads the model fully (so every check runs) and prints what it is.</summary>
internal static class InspectCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("model") { Description = "Hugging Face model directory." };
        var device = CommonOptions.Device();
        var command = new Command("inspect", "Load a model directory, validate it, and print its architecture, tokenizer and file digests.") { model, device };
        command.SetAction(parse =>
        {
            var dev = TorchRuntime.ResolveDevice(parse.GetValue(device));
            using var loaded = ModelLoader.Load(parse.GetValue(model)!, dev);
            var info = loaded.Model.Info;
            output.WriteLine($"model: {loaded.Directory}");
            output.WriteLine($"architecture: {info.Architecture} (model_type {info.ModelType})");
            output.WriteLine($"parameters: {info.ParameterCount:N0}");
            output.WriteLine($"layers {info.NumLayers}, hidden {info.HiddenSize}, vocab {info.VocabSize}, max positions {info.MaxPositions}");
            output.WriteLine($"dtype: stored {info.StoredDType}, compute {info.ComputeDType} on {loaded.Model.Device}");
            output.WriteLine($"tokenizer: {loaded.Tokenizer.Kind}, vocab {loaded.Tokenizer.VocabSize}, bos {loaded.Tokenizer.BosId?.ToString() ?? "none"}, eos [{string.Join(", ", loaded.Tokenizer.EosIds)}]");
            output.WriteLine($"prompt format: {loaded.Prompts.Kind}");
            foreach (var f in loaded.Files) output.WriteLine($"file: {f.Path} {f.Size} bytes sha256 {f.Sha256} ({f.Kind})");
            return 0;
        });
        return command;
    }
}
