using System.CommandLine;
using ModelGate.Core;
using TorchSharp;

namespace ModelGate.Cli.Commands;

/// <summary>`modelgate doctor`: proves the native engine loads and computes on the chosen device.</summary>
internal static class DoctorCommand
{
    public static Command Create(TextWriter output)
    {
        var device = CommonOptions.Device();
        var command = new Command("doctor", "Check that the engine (libtorch) loads and computes on the chosen device.") { device };
        command.SetAction(parse =>
        {
            var dev = TorchRuntime.ResolveDevice(parse.GetValue(device));
            using var scope = torch.NewDisposeScope();
            var a = torch.tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 }, device: dev);
            var product = a.matmul(a).cpu().data<float>().ToArray();
            output.WriteLine($"modelgate {CliApp.Version}");
            output.WriteLine($"libtorch: loaded, device {dev}, threads {torch.get_num_threads()}, CUDA {(torch.cuda.is_available() ? $"available ({torch.cuda.device_count()} device(s))" : "not available in this build")}");
            output.WriteLine($"matmul check: [[1,2],[3,4]]^2 = [[{product[0]},{product[1]}],[{product[2]},{product[3]}]]");
            return product.SequenceEqual(new float[] { 7, 10, 15, 22 }) ? 0 : 2;
        });
        return command;
    }
}
