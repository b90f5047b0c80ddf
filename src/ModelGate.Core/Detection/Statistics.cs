using ModelGate.Core.Reporting;

namespace ModelGate.Core.Detection;

/// <summary>Rates with honest uncertainty: every ASR in a report carries its n and a Wilson 95 % interval.</summary>
public static class Statistics
{
    private const double Z95 = 1.959963984540054;

    /// <summary>Wilson score interval; unlike the normal approximation it stays inside [0,1] and is sane at 0/n and n/n.</summary>
    public static RateEstimate Wilson(int successes, int n)
    {
        if (n < 0 || successes < 0 || successes > n) throw new ArgumentOutOfRangeException(nameof(successes), $"{successes}/{n} is not a rate");
        if (n == 0) return new RateEstimate(0, 0, 0, 0, 1);
        double p = (double)successes / n, z2 = Z95 * Z95;
        var denom = 1 + z2 / n;
        var centre = (p + z2 / (2 * n)) / denom;
        var half = Z95 * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new RateEstimate(p, successes, n, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
