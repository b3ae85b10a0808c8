using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests.Farm;

/// <summary>
/// Debian's nginx (which ./test.sh installs) in the foreground on a free loopback port, round robin over the given
/// upstreams with the public Host passed on, its default header limits untouched, and every response saying which
/// upstream served it (<c>X-Upstream</c>). Its configuration and temporary files live in a folder of its own; it is
/// stopped by its process id.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    public const string UpstreamHeader = "X-Upstream";

    private static readonly string Executable = Environment.GetEnvironmentVariable("NGINX") ?? "/usr/sbin/nginx";

    private readonly string _prefix = Path.Combine(Path.GetTempPath(), "farm-nginx-" + Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _output = new();
    private Process? _process;

    private NginxServer(int port) => Port = port;

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public string ErrorLog => File.Exists(Path.Combine(_prefix, "error.log")) ? File.ReadAllText(Path.Combine(_prefix, "error.log")) : "";

    public static async Task<NginxServer> StartAsync(IEnumerable<int> upstreamPorts)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's nginx (apt-get install nginx), as ./test.sh does.");
        }

        var server = new NginxServer(Loopback.FreePort());
        try
        {
            await server.StartProcessAsync(upstreamPorts);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task StartProcessAsync(IEnumerable<int> upstreamPorts)
    {
        Directory.CreateDirectory(_prefix);
        // Workers run as nobody when the master is root: they write their temporary files here.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_prefix, (UnixFileMode)0x1FF);
        }
        var upstreams = string.Concat(upstreamPorts.Select(p => $"    server 127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)};\n"));
        var configuration = $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            pid {{_prefix}}/nginx.pid;
            error_log {{_prefix}}/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{_prefix}}/client_body;
              proxy_temp_path {{_prefix}}/proxy;
              fastcgi_temp_path {{_prefix}}/fastcgi;
              uwsgi_temp_path {{_prefix}}/uwsgi;
              scgi_temp_path {{_prefix}}/scgi;
              upstream sample {
            {{upstreams}}  }
              server {
                listen 127.0.0.1:{{Port.ToString(CultureInfo.InvariantCulture)}};
                location / {
                  proxy_pass http://sample;
                  proxy_set_header Host $http_host;
                  add_header {{UpstreamHeader}} $upstream_addr always;
                }
              }
            }
            """;
        var file = Path.Combine(_prefix, "nginx.conf");
        await File.WriteAllTextAsync(file, configuration);

        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "-p", _prefix, "-e", Path.Combine(_prefix, "error.log"), "-c", file },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _prefix,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        if (!await Loopback.WaitUntilListeningAsync(Port, _process))
        {
            string output;
            lock (_output)
            {
                output = _output.ToString();
            }

            throw new InvalidOperationException($"nginx did not listen on {Port}:\n{output}\n{ErrorLog}");
        }
    }

    /// <summary>Stops nginx by its process id (the master; its worker goes with it) and removes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            try
            {
                if (!process.HasExited)
                {
                    // SIGTERM: the master stops and reaps its worker; SIGKILL to both if it has not within 10 s.
                    _ = Kill(process.Id, 15);
                    using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    try
                    {
                        await process.WaitForExitAsync(deadline.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        process.Kill(entireProcessTree: true);
                    }
                }

                await process.WaitForExitAsync();
            }
            finally
            {
                process.Dispose();
            }
        }

        if (Directory.Exists(_prefix))
        {
            Directory.Delete(_prefix, recursive: true);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

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
}
