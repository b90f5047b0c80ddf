using ModelGate.Benchmarks;
using ModelGate.Core;

// ModelGate's benchmarks: kept apart from the tests because they measure, not assert. Every headline figure is a
// ratio measured in the same run (against this machine's own matmul peak, or against a baseline run beside it),
// so a slow or busy machine changes the raw times but not what the figures mean.
const string Usage = """
    usage: ModelGate.Benchmarks engine [--threads N]
           ModelGate.Benchmarks zoo DIR --cli PATH/modelgate.dll [--out results.json] [--seed N]
      engine  fp32 matmul peak of this machine, then the engine's forward throughput as % of it and the
              KV-cached decode speed-up over recomputing the sequence (random ~10M-parameter llama);
              torch threads = cores unless --threads N
      zoo     scans every model of a canary set (`modelgate canary --preset zoo --out DIR`) and prints
              ROC-AUC, TPR at FPR <= 5 %, trigger REASR and recall, per-detector cost, and the goals
    """;

try
{
    return args switch
    {
        ["engine"] => EngineBenchmark.Run(Console.Out),
        ["engine", "--threads", var n] => EngineBenchmark.Run(Console.Out,
            int.TryParse(n, out var t) && t > 0 ? t : throw new ModelGateException(ErrorKind.Usage, "--threads must be a positive integer")),
        ["zoo", .. var rest] => ZooBenchmark.Run(ZooOptions.Parse(rest), Console.Out, Console.Error),
        ["-h" or "--help"] => Help(),
        _ => throw new ModelGateException(ErrorKind.Usage, "expected `engine` or `zoo DIR`"),
    };
}
catch (ModelGateException e)
{
    Console.Error.WriteLine($"benchmarks: {e.Message}");
    if (e.Kind == ErrorKind.Usage) Console.Error.WriteLine(Usage);
    return ExitCodes.For(e.Kind);
}

static int Help()
{
    Console.WriteLine(Usage);
    return ExitCodes.Pass;
}
