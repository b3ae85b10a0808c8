using System.Net;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>
/// A refresh whose request was aborted by the browser (the user clicked a link while the token endpoint was slow)
/// still rotates the tokens at the server. The browser keeps the pre-refresh cookie; the process must remember the
/// new tokens for it, or the next request spends a refresh token that the server has revoked.
/// </summary>
public class AbortedRefreshTests
{
    [Fact]
    public async Task A_refresh_whose_browser_went_away_is_adopted_by_the_sessions_next_request_after_the_coordinator_forgot_it()
    {
        var gate = new GateHandler();
        var watcher = new AbortWatcher();
        // Wikimedia's own grace window (600 s): the test comes back after it, as a user back from an 11-minute coffee.
        await using var session = await RefreshFixture.SignedInAsync(
            configure: o => o.BackchannelHttpHandler = gate,
            services: s => s.AddSingleton<IStartupFilter>(watcher));
        var cookie = session.CookieHeader();
        session.Time.Advance(TimeSpan.FromHours(4));

        // The browser asks for a page; the refresh starts; the browser navigates away before it ends.
        gate.Arm();
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            await socket.ConnectAsync(session.App.BaseAddress.Host, session.App.BaseAddress.Port);
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(
                $"GET /me HTTP/1.1\r\nHost: {session.App.BaseAddress.Authority}\r\nCookie: {cookie}\r\n\r\n"));
            await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        }

        await watcher.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The refresh goes on without its waiter and rotates the tokens at the server.
        gate.Release.SetResult();
        await gate.Answered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var coordinator = (InProcessTokenRefreshCoordinator)session.App.Services.GetRequiredService<IWikimediaTokenRefreshCoordinator>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (coordinator.Count > 0 && DateTime.UtcNow < deadline)
        {
            // Forget it as the coordinator does after its retention (polled: the refresh ends on the thread pool).
            session.Time.Advance(TimeSpan.FromSeconds(30));
            coordinator.Purge(force: true);
            await Task.Yield();
        }

        Assert.Equal(0, coordinator.Count);
        Assert.Single(session.Refreshes);

        // 11 minutes later the user comes back with the only cookie the browser has.
        session.Time.Advance(TimeSpan.FromMinutes(11));
        using var back = await session.GetWithCookieAsync("/me", cookie);

        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.DoesNotContain(session.App.Logs.GetSnapshot(), l => l.Id.Id == 22);
        Assert.Single(session.Refreshes);
    }
}
