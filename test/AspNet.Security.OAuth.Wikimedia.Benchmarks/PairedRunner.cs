using System.Diagnostics;
using System.Globalization;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks;

/// <summary>
/// Measures the same pipelines as <see cref="AuthenticatedRequestBenchmarks"/>, interleaved: each round times a batch
/// of the baseline and a batch of each variant back to back (in alternating order) and keeps their ratio. On a
/// virtual machine whose speed drifts between runs, ratios of neighbouring batches are stable where separate runs are
/// not. Prints the median ratio and its quartiles.
/// </summary>
internal static class PairedRunner
{
    public static async Task RunAsync(int rounds = 200, int batch = 1000)
    {
        var benchmarks = new AuthenticatedRequestBenchmarks();
        await benchmarks.SetupAsync();
        try
        {
            var (plain, schemeOnly, wikimedia) = benchmarks.Pipelines;
            for (var i = 0; i < 20_000; i++)
            {
                await plain();
                await schemeOnly();
                await wikimedia();
            }

            var schemeRatios = new List<double>(rounds);
            var refreshRatios = new List<double>(rounds);
            var baseline = new List<double>(rounds);
            for (var round = 0; round < rounds; round++)
            {
                double a, b, c;
                if (round % 2 == 0)
                {
                    a = await TimeAsync(plain, batch);
                    b = await TimeAsync(schemeOnly, batch);
                    c = await TimeAsync(wikimedia, batch);
                }
                else
                {
                    c = await TimeAsync(wikimedia, batch);
                    b = await TimeAsync(schemeOnly, batch);
                    a = await TimeAsync(plain, batch);
                }

                baseline.Add(a / batch * 1e6);
                schemeRatios.Add(b / a);
                refreshRatios.Add(c / a);
            }

            Console.WriteLine($"paired rounds: {rounds} x {batch} requests per pipeline");
            Console.WriteLine($"cookie only: median {Median(baseline).ToString("0.00", CultureInfo.InvariantCulture)} us per request");
            Report("cookie + Wikimedia scheme, other session / cookie only", schemeRatios);
            Report("cookie + Wikimedia scheme + refresh check / cookie only", refreshRatios);
        }
        finally
        {
            await benchmarks.CleanupAsync();
        }
    }

    private static async Task<double> TimeAsync(Func<Task> pipeline, int count)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await pipeline();
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static void Report(string name, List<double> ratios)
    {
        ratios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: median {ratios[ratios.Count / 2]:0.000} (quartiles {ratios[ratios.Count / 4]:0.000} to {ratios[ratios.Count * 3 / 4]:0.000})"));
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
