using System.Diagnostics;
using System.Globalization;
using AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks;

/// <summary>
/// <c>--paired-refresh</c>: the Redis refresh coordinator against the in-process one, as ratios of neighbouring batches
/// measured in the same run (as <see cref="PairedRunner"/> does for the request pipelines), against a real redis-server
/// started on a free loopback port (RedisServer.cs of the Redis tests) and a token endpoint stub in the backchannel:
/// <list type="number">
/// <item>a due session's request, which refreshes once (each request has a session of its own);</item>
/// <item>a request whose session is not due, with the Redis coordinator registered or not: the coordinator is only
/// consulted when a session is due, which the count of Redis commands the requests caused shows (0).</item>
/// </list>
/// </summary>
internal static class PairedRefreshRunner
{
    /// <summary>Commands that Redis counts but that no request sends (the runner's own look, the client's keep-alive).</summary>
    private static readonly HashSet<string> Housekeeping = new(StringComparer.OrdinalIgnoreCase)
    {
        "info", "ping", "echo", "client", "cluster", "config", "subscribe", "hello", "command", "sentinel", "select",
    };

    public static async Task RunAsync(int rounds = 150, int refreshBatch = 200, int requestBatch = 5000)
    {
        await using var redis = await RedisServer.StartAsync();
        // Production-like: StackExchange.Redis's default time-outs.
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},abortConnect=false");
        // The runner's own connection, to count commands (INFO needs admin mode, which the apps' connection does not have).
        await using var look = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},allowAdmin=true");
        var server = look.GetServer("127.0.0.1", redis.Port);
        await using var pipelines = await RefreshCoordinatorPipelines.StartAsync(connection);

        Console.WriteLine($"redis-server {server.Version} on 127.0.0.1:{redis.Port} (no persistence); token endpoint: a stub in the backchannel (no socket)");

        // 1) Not due: every request of one session, 4 hours from expiry.
        var notDueInProcess = pipelines.NotDueInProcess;
        var notDueRedis = pipelines.NotDueRedis;
        for (var i = 0; i < 20_000; i++)
        {
            await notDueInProcess.InvokeAsync();
            await notDueRedis.InvokeAsync();
        }

        var commandsBefore = await CommandsAsync(server);
        var (notDueBaseline, notDueRatios) = await PairAsync(rounds * 2, requestBatch, notDueInProcess.InvokeAsync, notDueRedis.InvokeAsync, prepare: null);
        var notDueCommands = Since(commandsBefore, await CommandsAsync(server)).Values.Sum();
        var notDueRequests = rounds * 2 * requestBatch;
        if (notDueInProcess.TokenRequests != 0 || notDueRedis.TokenRequests != 0)
        {
            throw new InvalidOperationException("A session that is not due was refreshed.");
        }

        // 2) Due: one new due session per request, signed in outside the timing, refreshed by its request.
        var dueInProcess = pipelines.DueInProcess;
        var dueRedis = pipelines.DueRedis;
        await dueInProcess.PrepareAsync(2_000);
        await dueRedis.PrepareAsync(2_000);
        for (var i = 0; i < 2_000; i++)
        {
            await dueInProcess.InvokeAsync();
            await dueRedis.InvokeAsync();
        }

        var refreshesBefore = (dueInProcess.TokenRequests, dueRedis.TokenRequests);
        commandsBefore = await CommandsAsync(server);
        var (dueBaseline, dueRatios) = await PairAsync(rounds, refreshBatch, dueInProcess.InvokeAsync, dueRedis.InvokeAsync,
            prepare: async () =>
            {
                await dueInProcess.PrepareAsync(refreshBatch);
                await dueRedis.PrepareAsync(refreshBatch);
            });
        var dueCommands = Since(commandsBefore, await CommandsAsync(server));
        var refreshes = rounds * refreshBatch;
        if (dueInProcess.TokenRequests - refreshesBefore.Item1 != refreshes || dueRedis.TokenRequests - refreshesBefore.Item2 != refreshes)
        {
            throw new InvalidOperationException("Not one token request per due request.");
        }

        Console.WriteLine($"paired rounds: {rounds * 2} x {requestBatch} not-due requests, {rounds} x {refreshBatch} due requests (one refresh each) per app");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"not due, in-process coordinator: median {notDueBaseline:0.00} us per request; Cookie header {notDueInProcess.CookieLength} bytes"));
        Report("not due, Redis coordinator registered / in-process", notDueRatios, notDueBaseline);
        Console.WriteLine($"Redis commands sent by {notDueRequests} not-due requests with the Redis coordinator: {notDueCommands}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"due, one refresh per request, in-process coordinator: median {dueBaseline:0.00} us per refresh"));
        Report("due, one refresh per request, Redis coordinator / in-process", dueRatios, dueBaseline);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Redis commands per refresh through the Redis coordinator: {(double)dueCommands.Values.Sum() / refreshes:0.0} ({string.Join(", ", dueCommands.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {(double)c.Value / refreshes:0.0}"))})"));
    }

    /// <summary>
    /// Rounds of one batch of each (the baseline first in even rounds, last in odd ones); returns the baseline's median
    /// time per call (µs) and the ratios of neighbouring batches.
    /// </summary>
    private static async Task<(double Baseline, List<double> Ratios)> PairAsync(int rounds, int batch, Func<Task> baseline, Func<Task> variant, Func<Task>? prepare)
    {
        var ratios = new List<double>(rounds);
        var times = new List<double>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            if (prepare is not null)
            {
                await prepare();
            }

            double a, b;
            if (round % 2 == 0)
            {
                a = await TimeAsync(baseline, batch);
                b = await TimeAsync(variant, batch);
            }
            else
            {
                b = await TimeAsync(variant, batch);
                a = await TimeAsync(baseline, batch);
            }

            times.Add(a / batch * 1e6);
            ratios.Add(b / a);
        }

        times.Sort();
        return (times[times.Count / 2], ratios);
    }

    private static async Task<double> TimeAsync(Func<Task> invoke, int count)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await invoke();
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Commands Redis has executed so far (INFO commandstats), by name, less housekeeping.</summary>
    private static async Task<Dictionary<string, long>> CommandsAsync(IServer server)
    {
        var commands = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var (key, value) in group)
            {
                // cmdstat_get:calls=12,usec=...
                var command = (key.StartsWith("cmdstat_", StringComparison.Ordinal) ? key["cmdstat_".Length..] : key).Split('|')[0];
                if (!Housekeeping.Contains(command) && value.Split(',')[0] is { } calls && calls.StartsWith("calls=", StringComparison.Ordinal))
                {
                    commands[command] = commands.GetValueOrDefault(command) + long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
                }
            }
        }

        return commands;
    }

    /// <summary>The commands executed between two looks, by name.</summary>
    private static Dictionary<string, long> Since(Dictionary<string, long> before, Dictionary<string, long> after)
        => after.Select(c => (c.Key, Calls: c.Value - before.GetValueOrDefault(c.Key))).Where(c => c.Calls > 0).ToDictionary(c => c.Key, c => c.Calls, StringComparer.OrdinalIgnoreCase);

    private static void Report(string name, List<double> ratios, double baseline)
    {
        ratios.Sort();
        var median = ratios[ratios.Count / 2];
        // + 0.0 turns a negative zero into zero.
        var difference = Math.Round((median - 1) * baseline, 1) + 0.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: median {median:0.000} (quartiles {ratios[ratios.Count / 4]:0.000} to {ratios[ratios.Count * 3 / 4]:0.000}); {(difference < 0 ? "" : "+")}{difference:0.0} us per request"));
    }
}
