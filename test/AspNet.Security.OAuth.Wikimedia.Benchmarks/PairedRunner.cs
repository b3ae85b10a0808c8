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
            var (baseline, ratios) = await MeasureAsync(plain, variants.Select(v => v.Invoke).ToArray(), rounds, batch, warmup: 20_000);

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

    /// <summary>
    /// Runs <paramref name="warmup"/> calls of each pipeline, then <paramref name="rounds"/> rounds that each time a
    /// batch of the baseline and of every variant, the baseline first in even rounds and last in odd ones, so that
    /// drift within a round cancels out. <paramref name="beforeRound"/> runs before each round, outside the timed
    /// batches (to prepare what the round's calls consume). <paramref name="clock"/> reads seconds: by default the
    /// wall clock; a CPU-time clock leaves out the time the machine gave to other processes. Returns the baseline's
    /// microseconds per call in each round, and each variant's ratio to the baseline in each round.
    /// </summary>
    internal static async Task<(List<double> BaselineMicroseconds, List<double>[] Ratios)> MeasureAsync(
        Func<Task> plain, IReadOnlyList<Func<Task>> variants, int rounds, int batch, int warmup, Func<Task>? beforeRound = null, Func<double>? clock = null)
    {
        clock ??= () => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        for (var i = 0; i < warmup; i++)
        {
            await plain();
            foreach (var variant in variants)
            {
                await variant();
            }
        }

        var ratios = variants.Select(_ => new List<double>(rounds)).ToArray();
        var baseline = new List<double>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            if (beforeRound is not null)
            {
                await beforeRound();
            }

            var a = round % 2 == 0 ? await TimeAsync(plain, batch, clock) : 0;
            var times = new double[variants.Count];
            for (var v = 0; v < variants.Count; v++)
            {
                var index = round % 2 == 0 ? v : variants.Count - 1 - v;
                times[index] = await TimeAsync(variants[index], batch, clock);
            }

            if (round % 2 == 1)
            {
                a = await TimeAsync(plain, batch, clock);
            }

            baseline.Add(a / batch * 1e6);
            for (var v = 0; v < variants.Count; v++)
            {
                ratios[v].Add(times[v] / a);
            }
        }

        return (baseline, ratios);
    }

    private static async Task<double> TimeAsync(Func<Task> pipeline, int count, Func<double> clock)
    {
        var started = clock();
        for (var i = 0; i < count; i++)
        {
            await pipeline();
        }

        return clock() - started;
    }

    /// <summary>Prints the median of <paramref name="ratios"/> and its quartiles; returns them.</summary>
    internal static (double Median, double Lower, double Upper) Report(string name, List<double> ratios)
    {
        ratios.Sort();
        var (median, lower, upper) = (ratios[ratios.Count / 2], ratios[ratios.Count / 4], ratios[ratios.Count * 3 / 4]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: median {median:0.000} (quartiles {lower:0.000} to {upper:0.000})"));
        return (median, lower, upper);
    }

    internal static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
