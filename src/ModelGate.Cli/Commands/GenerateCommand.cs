using System.CommandLine;
using ModelGate.Core;
using ModelGate.Core.Inference;
using ModelGate.Core.Loading;
using ModelGate.Core.Text;

namespace ModelGate.Cli.Commands;

/// <summary>`modelgate generate MODEL --prompt TEXT`: prints the model's continuation (greedy by default).</summary>
internal static class GenerateCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("model") { Description = "Hugging Face model directory." };
        var prompt = new Option<string>("--prompt") { Description = "Prompt text (may be empty: generation then starts from BOS).", Required = true };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "How many tokens to generate at most.", DefaultValueFactory = _ => 64 };
        var temperature = new Option<double>("--temperature") { Description = "0 for greedy decoding; above 0 samples with --seed.", DefaultValueFactory = _ => 0 };
        var chat = new Option<bool>("--chat") { Description = "Wrap the prompt as a user message with the model's chat template." };
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed();
        var command = new Command("generate", "Generate text from a model (a quick check that it loads and behaves).")
        {
            model, prompt, maxNew, temperature, chat, device, seed,
        };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(maxNew);
            var t = parse.GetValue(temperature);
            if (n < 1) throw new ModelGateException(ErrorKind.Usage, "--max-new-tokens must be at least 1");
            if (t < 0 || double.IsNaN(t)) throw new ModelGateException(ErrorKind.Usage, "--temperature must be 0 or more");
            var dev = TorchRuntime.ResolveDevice(parse.GetValue(device));
            using var loaded = ModelLoader.Load(parse.GetValue(model)!, dev);
            var text = parse.GetValue(prompt) ?? "";
            int[] ids = parse.GetValue(chat)
                ? loaded.Tokenizer.EncodePrompt(loaded.Prompts.Render(new[] { new ChatMessage("user", text) }))
                : text.Length == 0 ? [] : loaded.Tokenizer.Encode(text, addSpecialTokens: true);
            if (ids.Length == 0)
            {
                if (loaded.Tokenizer.BosId is not int bos)
                    throw new ModelGateException(ErrorKind.Usage, "--prompt is empty and this tokenizer has no BOS token to start from");
                ids = [bos];
            }
            var result = TextGenerator.Generate(loaded.Model, new[] { ids },
                new GenerationOptions(n, t, parse.GetValue(seed)), loaded.Tokenizer.EosIds)[0];
            output.WriteLine(loaded.Tokenizer.Decode(result.Tokens));
            return 0;
        });
        return command;
    }
}
