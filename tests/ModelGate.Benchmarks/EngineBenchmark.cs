using System.Diagnostics;
using ModelGate.Core;
using ModelGate.Core.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGate.Benchmarks;

/// <summary>
/// How well the engine uses this machine: fp32 matmul peak first, then (in the same process, same threads) the
/// forward pass as a percentage of that peak and the KV cache's decode speed-up over full recomputation.
/// </summary>
internal static class EngineBenchmark
{
    private const int Repeats = 5;
    private const int Batch = 8, Tokens = 128;
    private const int PromptTokens = 32, NewTokens = 96;

    // 10.6M parameters: two untied 4096×256 embedding matrices (2.1M) and 10 layers of 4·256² attention plus
    // 3·256·768 MLP (0.85M each); the size class where a 2-core machine still gives stable timings in seconds.
    private const string ConfigJson = """
        {"model_type":"llama","vocab_size":4096,"hidden_size":256,"intermediate_size":768,"num_hidden_layers":10,
         "num_attention_heads":8,"num_key_value_heads":8,"rms_norm_eps":1e-5,"max_position_embeddings":512,
         "tie_word_embeddings":false}
        """;

    public static int Run(TextWriter output, int? threadsOverride = null)
    {
        TorchRuntime.EnsureLoaded();
        // The loader drops small models to one thread; the benchmark measures the machine, so by default it uses every
        // core, for the peak and the model alike (the same threads on both sides of each ratio).
        var threads = threadsOverride ?? Math.Max(1, Environment.ProcessorCount);
        torch.set_num_threads(threads);
        using var noGrad = torch.no_grad();
        output.WriteLine($"engine benchmark: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, torch threads {threads}, " +
                         $"TorchSharp {typeof(torch).Assembly.GetName().Version}, fp32 CPU");
        var load = LoadAverage();
        if (load is { } l)
        {
            output.WriteLine($"load average (1 min) at start: {l:F2}");
            // Multi-threaded BLAS waits at barriers for its slowest thread: on a shared machine a short matmul can dodge the
            // other work while the long forward cannot, and the ratio then reflects the load, not the engine.
            if (threads > 1 && l > Environment.ProcessorCount - 0.5)
                output.WriteLine($"warning: the machine is busy (load {l:F1} on {Environment.ProcessorCount} cores); multi-threaded figures will be low — compare with --threads 1");
        }

        var (peak, peakSize) = MatmulPeak(output);

        var config = ModelConfig.Parse(ConfigJson, "benchmark-llama/config.json");
        using var model = TransformerCausalLM.CreateRandom(config, seed: 20261129);
        var parameters = model.ParameterCount;
        var (forwardSeconds, forwardGflops) = ForwardThroughput(model, parameters);
        var decode = DecodeSpeedup(model);

        output.WriteLine();
        output.WriteLine($"model: random llama, {parameters / 1e6:F2}M parameters; forward batch {Batch} x {Tokens} tokens; " +
                         $"decode batch 1, prompt {PromptTokens}, {NewTokens} new tokens (greedy)");
        output.WriteLine($"context (raw, best of {Repeats}): matmul peak {peak:F1} GFLOP/s at n={peakSize}; forward {forwardSeconds * 1e3:F1} ms = {forwardGflops:F1} GFLOP/s; " +
                         $"decode cached {decode.CachedSeconds * 1e3:F0} ms, recompute {decode.RecomputeSeconds * 1e3:F0} ms");
        output.WriteLine();
        output.WriteLine("| figure (ratio, same run)                    | value   |");
        output.WriteLine("|---------------------------------------------|---------|");
        output.WriteLine($"| forward GFLOP/s as % of fp32 matmul peak    | {100 * forwardGflops / peak,6:F1} % |");
        output.WriteLine($"| KV-cached decode speed-up over recompute    | {decode.RecomputeSeconds / decode.CachedSeconds,6:F1} x |");
        output.WriteLine($"| greedy tokens equal, cached vs recompute    | {decode.Agreement,6:P0}  |");
        // Different tokens would mean the cache computes something else: the speed-up would then be meaningless.
        return decode.Agreement < 1 ? ExitCodes.Error : ExitCodes.Pass;
    }

    private static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null; // not Linux, or no procfs: the figures stand without the context line
        }
    }

    /// <summary>Best GFLOP/s (2n³ per product) over square fp32 matmuls of 512–2048, each best of <see cref="Repeats"/>.</summary>
    private static (double Gflops, int Size) MatmulPeak(TextWriter output)
    {
        var gen = new Generator(7);
        (double, int) best = (0, 0);
        var line = new List<string>();
        foreach (var n in new[] { 512, 1024, 1536, 2048 })
        {
            using var scope = NewDisposeScope();
            var a = randn(n, n, generator: gen);
            var b = randn(n, n, generator: gen);
            var seconds = BestOf(() => { using var c = a.matmul(b); _ = c.sum().item<float>(); });
            var gflops = 2.0 * n * n * n / seconds / 1e9;
            line.Add($"n={n} {gflops:F1}");
            if (gflops > best.Item1) best = (gflops, n);
        }
        output.WriteLine("matmul fp32 GFLOP/s: " + string.Join(", ", line));
        return best;
    }

    /// <summary>Forward over batch × tokens random ids. FLOPs are counted as 2·params·tokens, the usual convention:
    /// it leaves out attention scores and counts the embedding lookup, which roughly cancel at 128 tokens.</summary>
    private static (double Seconds, double Gflops) ForwardThroughput(TransformerCausalLM model, long parameters)
    {
        using var scope = NewDisposeScope();
        var ids = randint(0, model.Config.VocabSize, [Batch, Tokens], generator: new Generator(11), dtype: ScalarType.Int64);
        var seconds = BestOf(() => { using var inner = NewDisposeScope(); _ = model.Forward(ids).sum().item<float>(); });
        return (seconds, 2.0 * parameters * Batch * Tokens / seconds / 1e9);
    }

    private sealed record DecodeTiming(double CachedSeconds, double RecomputeSeconds, double Agreement);

    /// <summary>The same greedy continuation twice: once with the KV cache (one new token per step), once recomputing
    /// the whole sequence each step. Best of <see cref="Repeats"/> each, interleaved so load changes hit both.</summary>
    private static DecodeTiming DecodeSpeedup(TransformerCausalLM model)
    {
        var prompt = new Generator(13);
        long[] promptIds;
        using (var scope = NewDisposeScope())
            promptIds = randint(0, model.Config.VocabSize, [PromptTokens], generator: prompt, dtype: ScalarType.Int64).data<long>().ToArray();

        List<long> cachedTokens = [], recomputeTokens = [];
        double cached = double.MaxValue, recompute = double.MaxValue;
        for (var r = 0; r <= Repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            cachedTokens = DecodeCached(model, promptIds);
            var c = sw.Elapsed.TotalSeconds;
            sw.Restart();
            recomputeTokens = DecodeRecompute(model, promptIds);
            var f = sw.Elapsed.TotalSeconds;
            if (r == 0) continue; // warm-up: first calls allocate and pick kernels
            cached = Math.Min(cached, c);
            recompute = Math.Min(recompute, f);
        }
        var agree = cachedTokens.Zip(recomputeTokens).Count(p => p.First == p.Second) / (double)NewTokens;
        return new DecodeTiming(cached, recompute, agree);
    }

    private static List<long> DecodeCached(TransformerCausalLM model, long[] promptIds)
    {
        using var cache = model.NewCache(1);
        using var scope = NewDisposeScope();
        var tokens = new List<long>();
        var logits = model.Forward(tensor(promptIds, [1, promptIds.Length]), cache: cache);
        for (var i = 0; i < NewTokens; i++)
        {
            using var step = NewDisposeScope();
            var next = logits.select(1, -1).argmax(-1).item<long>();
            tokens.Add(next);
            if (i + 1 < NewTokens) logits = model.Forward(tensor(new[] { next }, [1, 1]), cache: cache).MoveToOuterDisposeScope();
        }
        return tokens;
    }

    private static List<long> DecodeRecompute(TransformerCausalLM model, long[] promptIds)
    {
        var sequence = new List<long>(promptIds);
        var tokens = new List<long>();
        for (var i = 0; i < NewTokens; i++)
        {
            using var step = NewDisposeScope();
            var logits = model.Forward(tensor(sequence.ToArray(), [1, sequence.Count]));
            var next = logits.select(1, -1).argmax(-1).item<long>();
            tokens.Add(next);
            sequence.Add(next);
        }
        return tokens;
    }

    /// <summary>Best wall time of <see cref="Repeats"/> runs after one warm-up: the least disturbed by other work.</summary>
    private static double BestOf(Action action)
    {
        action();
        var best = double.MaxValue;
        for (var i = 0; i < Repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
