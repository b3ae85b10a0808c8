using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests.Farm;

/// <summary>
/// The built sample (sample-webapp/bin/{Configuration}/net10.0/sample-webapp.dll) run as its own <c>dotnet</c> process on
/// a free loopback port, configured by environment variables as in production, and stopped by its process id.
/// </summary>
public sealed class SampleProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    private SampleProcess(int port) => Port = port;

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>What the process wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the sample with <paramref name="environment"/>; with <paramref name="clockOffset"/>, under Debian's
    /// <c>faketime</c>, so that the process's clocks run that far ahead of this process's (which may itself run on a
    /// moved clock: <c>faketime -f '+400d' ./test.sh</c>).
    /// </summary>
    public static async Task<SampleProcess> StartAsync(IReadOnlyDictionary<string, string> environment, TimeSpan? clockOffset = null, int? port = null)
    {
        var sample = new SampleProcess(port ?? Loopback.FreePort());
        try
        {
            await sample.StartProcessAsync(environment, clockOffset);
        }
        catch
        {
            await sample.DisposeAsync();
            throw;
        }

        return sample;
    }

    private async Task StartProcessAsync(IReadOnlyDictionary<string, string> environment, TimeSpan? clockOffset)
    {
        var folder = SampleFolder();
        var dll = Path.Combine(folder, "bin", Configuration(), "net10.0", "sample-webapp.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        }

        var start = new ProcessStartInfo(clockOffset is null ? "dotnet" : "/usr/bin/faketime")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root (appsettings.json, wwwroot) is the working directory.
            WorkingDirectory = folder,
        };
        if (clockOffset is not null)
        {
            // An absolute start, from this process's clock: an offset would count from the real clock, not from
            // the moved one this process may be running on.
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add("@" + (DateTimeOffset.UtcNow + clockOffset.Value).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
            start.Environment["TZ"] = "UTC";
            start.ArgumentList.Add("dotnet");
            // Both clocks move by the same offset: with the monotonic one left alone (FAKETIME_DONT_FAKE_MONOTONIC=1),
            // libfaketime 0.9.10 ends .NET's timed waits at once (StackExchange.Redis's synchronous calls time out).
            start.Environment["FAKETIME_DONT_FAKE_MONOTONIC"] = "0";
        }

        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseAddress.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Ready when a sign-in starts; polled with a deadline.
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The sample on port {Port} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                // A challenge, so that the instance has read the shared key ring (synchronously, through Redis)
                // before the test's traffic: a load balancer's readiness check would do as much.
                using var response = await client.GetAsync(new Uri(BaseAddress, "/signin"));
                if (response.StatusCode == HttpStatusCode.Redirect)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The sample on port {Port} did not answer within 60 s:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Kills the process (by its id, with its children: faketime's dotnet) and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync();
            }
            finally
            {
                process.Dispose();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static string SampleFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "AspNet.Security.OAuth.Wikimedia.sln")))
            {
                return Path.Combine(folder.FullName, "sample-webapp");
            }
        }

        throw new InvalidOperationException("The repository root (AspNet.Security.OAuth.Wikimedia.sln) was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The configuration this test assembly was built in (Release in ./test.sh), which the sample shares.</summary>
    private static string Configuration()
        => typeof(SampleProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } configuration ? configuration : "Release";
}
