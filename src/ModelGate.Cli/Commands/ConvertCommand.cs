using System.CommandLine;
using ModelGate.Core.Loading;

namespace ModelGate.Cli.Commands;

/// <summary>`modelgate convert CHECKPOINT --tokenizer TOK --out DIR`: llama2.c checkpoint → Hugging Face directory.</summary>
internal static class ConvertCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "llama2.c legacy checkpoint (.bin)." };
        var tokenizer = new Option<string>("--tokenizer") { Description = "llama2.c tokenizer (tok*.bin).", Required = true };
        var outDir = new Option<string>("--out") { Description = "Directory to write the Hugging Face model into.", Required = true };
        var chatTemplate = new Option<string?>("--chat-template") { Description = "Optional Jinja chat template to store in tokenizer_config.json." };
        var command = new Command("convert", "Convert a llama2.c checkpoint and tokenizer into a Hugging Face model directory (safetensors).")
        {
            checkpoint, tokenizer, outDir, chatTemplate,
        };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(outDir)!;
            var config = Llama2cConverter.Convert(parse.GetValue(checkpoint)!, parse.GetValue(tokenizer)!, dir, parse.GetValue(chatTemplate));
            output.WriteLine($"wrote {dir}: llama, {config.NumLayers} layers, hidden {config.HiddenSize}, vocab {config.VocabSize}");
            return 0;
        });
        return command;
    }
}
