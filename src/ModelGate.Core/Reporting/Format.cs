using System.Globalization;

namespace ModelGate.Core.Reporting;

/// <summary>Number formats shared by the human-readable reports, invariant culture so output never depends on the machine.</summary>
public static class Format
{
    public static string Percent(double rate) => (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    /// <summary>"92 % (46/50, 95 % CI 81–97 %)".</summary>
    public static string Rate(RateEstimate r) =>
        $"{Percent(r.Rate)} ({r.Successes}/{r.N}, 95 % CI {(r.Low * 100).ToString("0.#", CultureInfo.InvariantCulture)}–{Percent(r.High)})";

    public static string Probability(double? p) => p is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "—";

    public static string Seconds(double s) => s.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Verdict(Reporting.Verdict v) => v.ToString().ToUpperInvariant();

    public static string Status(DetectorStatus s) => s switch
    {
        DetectorStatus.BudgetExceeded => "budget exceeded",
        _ => s.ToString().ToLowerInvariant(),
    };
}
