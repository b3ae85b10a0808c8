using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests;

/// <summary>The loopback ports of the servers the tests start (redis-server, nginx, sample processes).</summary>
internal static class Loopback
{
    /// <summary>A port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Polls <paramref name="port"/> until it accepts a connection (true), or until <paramref name="process"/> exits or
    /// ten seconds pass (false).
    /// </summary>
    public static async Task<bool> WaitUntilListeningAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(20);
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
