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
            var (plain, plainCookie, variants) = benchmarks.Pipelines;
            for (var i = 0; i < 20_000; i++)
            {
                await plain();
                foreach (var variant in variants)
                {
                    await variant.Invoke();
                }
            }

            var ratios = variants.Select(_ => new List<double>(rounds)).ToArray();
            var baseline = new List<double>(rounds);
            for (var round = 0; round < rounds; round++)
            {
                // The baseline first in even rounds, last in odd ones, so that drift within a round cancels out.
                var a = round % 2 == 0 ? await TimeAsync(plain, batch) : 0;
                var times = new double[variants.Length];
                for (var v = 0; v < variants.Length; v++)
                {
                    var index = round % 2 == 0 ? v : variants.Length - 1 - v;
                    times[index] = await TimeAsync(variants[index].Invoke, batch);
                }

                if (round % 2 == 1)
                {
                    a = await TimeAsync(plain, batch);
                }

                baseline.Add(a / batch * 1e6);
                for (var v = 0; v < variants.Length; v++)
                {
                    ratios[v].Add(times[v] / a);
                }
            }

            Console.WriteLine($"paired rounds: {rounds} x {batch} requests per pipeline");
            Console.WriteLine($"cookie only: median {Median(baseline).ToString("0.00", CultureInfo.InvariantCulture)} us per request; Cookie header {plainCookie} bytes");
            for (var v = 0; v < variants.Length; v++)
            {
                Report($"{variants[v].Name} / cookie only (Cookie header {variants[v].Cookie} bytes)", ratios[v]);
            }
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
