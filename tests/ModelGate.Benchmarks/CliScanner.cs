using System.Diagnostics;
using ModelGate.Core;
using ModelGate.Core.Reporting;

namespace ModelGate.Benchmarks;

/// <summary>
/// The benchmark's scanner seam for now: the real `modelgate scan` run out of process (as the MSBuild task runs it),
/// its JSON report read back with <see cref="JsonReport.Parse"/>. When Core's ScanPipeline lands on main, an
/// in-process <c>Func&lt;string, ScanResult&gt;</c> can replace this without touching the benchmark.
/// </summary>
internal sealed class CliScanner(string cliDll, int? seed, string? policy = null, int timeoutSeconds = 900)
{
    public static CliScanner Create(string cliDll, int? seed, string? policy = null)
    {
        if (!File.Exists(cliDll))
            throw new ModelGateException(ErrorKind.Usage, "--cli: file not found (build it with `dotnet build src/ModelGate.Cli -c Release`)", cliDll);
        return new CliScanner(Path.GetFullPath(cliDll), seed, policy);
    }

    /// <summary>Scans one model directory. Exit 0 (pass/warn), 1 (fail) and 2 (error) all write a report; no report
    /// means the scan itself broke, which is an error naming the model and the tail of the CLI's output.</summary>
    public ScanResult Scan(string modelDir)
    {
        var json = Path.Combine(Path.GetTempPath(), $"modelgate-bench-{Guid.NewGuid():N}.json");
        try
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { cliDll, "scan", modelDir, "--json", json }) psi.ArgumentList.Add(a);
            if (policy is not null) { psi.ArgumentList.Add("--policy"); psi.ArgumentList.Add(policy); }
            if (seed is { } s) { psi.ArgumentList.Add("--seed"); psi.ArgumentList.Add(s.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
            // Plain lines, never a check run: the benchmark must not publish to GitHub even when run inside Actions.
            psi.Environment["GITHUB_ACTIONS"] = "false";
            psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var p = Process.Start(psi) ?? throw new ModelGateException(ErrorKind.Engine, "could not start `dotnet`", cliDll);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(entireProcessTree: true);
                throw new ModelGateException(ErrorKind.Detector, $"scan timed out after {timeoutSeconds} s", modelDir);
            }
            p.WaitForExit();
            if (!File.Exists(json))
            {
                var tail = (stderr.Result + stdout.Result).Trim().Split('\n').TakeLast(3);
                throw new ModelGateException(ErrorKind.Detector, $"scan exited {p.ExitCode} without a JSON report: {string.Join(" | ", tail)}", modelDir);
            }
            return JsonReport.Parse(File.ReadAllText(json), json);
        }
        finally
        {
            File.Delete(json);
        }
    }
}
