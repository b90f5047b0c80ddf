using ModelGate.Core;
using TorchSharp;

namespace ModelGate.Core.Tests;

public class TorchSmokeTests
{
    [Test]
    public void Libtorch_loads_and_multiplies_matrices()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        var b = torch.tensor(new float[] { 7, 8, 9, 10, 11, 12 }, new long[] { 3, 2 });
        var c = a.matmul(b).data<float>().ToArray();
        Assert.That(c, Is.EqualTo(new float[] { 58, 64, 139, 154 }));
    }

    [Test]
    public void Device_auto_resolves_and_unknown_device_is_a_usage_error()
    {
        var auto = TorchRuntime.ResolveDevice("auto");
        Assert.That(auto.type, Is.EqualTo(torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU));
        var e = Assert.Throws<ModelGateException>(() => TorchRuntime.ResolveDevice("tpu"));
        Assert.That(e!.Kind, Is.EqualTo(ErrorKind.Usage));
    }
}
