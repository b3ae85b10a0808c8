using System.Diagnostics;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests;

/// <summary>
/// A real redis-server (Debian's package, which ./test.sh installs) started for one test on a free loopback port and
/// stopped by its process id. Stop and start it again to play an outage: without persistence (the default) it comes
/// back empty; with it, from an append-only file in a data folder of the test's own, with everything it acknowledged.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>The executable: <c>REDIS_SERVER</c>, or Debian's.</summary>
    private static readonly string Executable = Environment.GetEnvironmentVariable("REDIS_SERVER") ?? "/usr/bin/redis-server";

    private Process? _process;

    private RedisServer(int port, string? dataDirectory)
    {
        Port = port;
        DataDirectory = dataDirectory;
    }

    public int Port { get; }

    /// <summary>
    /// With persistence, the folder of the append-only file (removed when the server is disposed); otherwise null.
    /// </summary>
    public string? DataDirectory { get; }

    /// <summary>A StackExchange.Redis configuration that starts while Redis is down and gives up quickly.</summary>
    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000,connectRetry=1";

    /// <summary>Starts a server on a free port.</summary>
    /// <param name="persistence">
    /// Whether writes survive a stop: <c>appendonly yes</c> with <c>appendfsync always</c> (every write is on disk before
    /// Redis answers it, so even a kill loses nothing acknowledged) in a new folder of its own; RDB snapshots stay off.
    /// </param>
    public static async Task<RedisServer> StartAsync(bool persistence = false)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's redis-server (apt-get install redis-server), as ./test.sh does.");
        }

        string? data = null;
        if (persistence)
        {
            data = Path.Combine(Path.GetTempPath(), "redis-data-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(data);
        }

        var server = new RedisServer(Loopback.FreePort(), data);
        try
        {
            await server.StartAgainAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Connects a client as an app instance would: its own connection.</summary>
    public async Task<IConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(Configuration);

    public async Task StartAgainAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("redis-server is running.");
        }

        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--daemonize", "no", "--loglevel", "warning" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DataDirectory ?? Path.GetTempPath(),
        };
        if (DataDirectory is null)
        {
            start.ArgumentList.Add("--appendonly");
            start.ArgumentList.Add("no");
        }
        else
        {
            // Started again with the same folder, Redis replays the file before it answers commands.
            foreach (var argument in new[] { "--dir", DataDirectory, "--appendonly", "yes", "--appendfsync", "always" })
            {
                start.ArgumentList.Add(argument);
            }
        }

        // Redis refuses to run under libfaketime (it aborts on the preloaded library), and the suite must pass with
        // the machine clock moved (`faketime -f '+400d' ./test.sh`): the server keeps the real clock, as an external
        // service would; only the code under test runs on the shifted one.
        foreach (var variable in new[] { "LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC", "FAKETIME_NO_CACHE" })
        {
            start.Environment.Remove(variable);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        if (!await Loopback.WaitUntilListeningAsync(Port, _process))
        {
            throw new InvalidOperationException($"redis-server did not listen on {Port}.");
        }
    }

    /// <summary>
    /// Kills the server (by its process id, SIGKILL), as a crash or an outage would: without persistence the data goes
    /// with it; with persistence, what it acknowledged is in <see cref="DataDirectory"/>.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (DataDirectory is not null && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
