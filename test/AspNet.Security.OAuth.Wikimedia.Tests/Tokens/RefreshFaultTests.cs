using System.Net;
using AspNet.Security.OAuth.Wikimedia.Diagnostics;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>Whatever goes wrong inside a refresh, the session is never turned into an error page.</summary>
public class RefreshFaultTests
{
    [Fact]
    public async Task An_exception_inside_the_refresh_is_a_transient_failure_and_the_next_refresh_succeeds()
    {
        var breaking = new BreakingHandler();
        await using var session = await RefreshFixture.SignedInAsync(configure: o => o.BackchannelHttpHandler = breaking);
        var signIn = await session.MeAsync();
        breaking.Broken = true;
        session.Time.Advance(TimeSpan.FromHours(4) - TimeSpan.FromMinutes(2));

        var during = await session.MeAsync();
        using var anonymous = await session.GetAsync("/");

        Assert.Equal(signIn.Tokens["access_token"], during.Tokens["access_token"]);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var logged = Assert.Single(session.App.Logs.GetSnapshot(), l => l.Id.Id == 26);
        Assert.Contains(nameof(InvalidOperationException), logged.Message, StringComparison.Ordinal);

        breaking.Broken = false;
        session.Time.Advance(TimeSpan.FromSeconds(31));
        var after = await session.MeAsync();
        Assert.NotEqual(signIn.Tokens["access_token"], after.Tokens["access_token"]);
    }

    [Fact]
    public async Task A_coordinator_that_throws_fails_the_refresh_not_the_request()
    {
        await using var session = await RefreshFixture.SignedInAsync(services: s => s.AddSingleton<IWikimediaTokenRefreshCoordinator, ThrowingCoordinator>());
        session.Time.Advance(TimeSpan.FromHours(4) - TimeSpan.FromMinutes(2));

        using var first = await session.GetAsync("/me");
        using var second = await session.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains(session.App.Logs.GetSnapshot(), l => l.Id.Id == 26);
        Assert.Empty(session.Refreshes);
    }

    [Fact]
    public async Task A_refresh_stopped_with_the_application_is_a_transient_failure_not_an_unexpected_error()
    {
        // The coordinator cancels the refreshes in flight when it is disposed, with the application's services: that is
        // the shutdown the token was made for, not a fault of the refresh (log id 26, an Error).
        await using var session = await RefreshFixture.SignedInAsync();
        var signIn = await session.MeAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, EmulatorFault.Slow(TimeSpan.FromSeconds(30)));
        session.Time.Advance(session.Lifetime - TimeSpan.FromMinutes(2));

        var during = session.MeAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (session.Refreshes.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The refresh never reached the token endpoint.");
            await Task.Yield();
        }

        ((IDisposable)session.App.Services.GetRequiredService<IWikimediaTokenRefreshCoordinator>()).Dispose();
        var me = await during.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(signIn.Tokens["access_token"], me.Tokens["access_token"]);
        Assert.DoesNotContain(session.App.Logs.GetSnapshot(), l => l.Id.Id == 26 || l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains(session.App.Logs.GetSnapshot(), l => l.Id.Id == 21);
    }

    [Fact]
    public async Task A_faulted_refresh_is_not_kept_so_the_next_one_runs_again()
    {
        using var coordinator = new InProcessTokenRefreshCoordinator(TimeProvider.System, new WikimediaTokenMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

        await Assert.ThrowsAsync<InvalidOperationException>(() => coordinator.RefreshAsync("k", _ => throw new InvalidOperationException("boom"), CancellationToken.None));
        var second = await coordinator.RefreshAsync("k", _ => Task.FromResult(new WikimediaTokenResult { Status = WikimediaTokenStatus.Success, AccessToken = "a" }), CancellationToken.None);

        Assert.True(second.Succeeded);
    }

    private sealed class BreakingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public volatile bool Broken;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            return Broken && body.Contains("grant_type=refresh_token", StringComparison.Ordinal)
                ? throw new InvalidOperationException("A handler of the app failed.")
                : await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class ThrowingCoordinator : IWikimediaTokenRefreshCoordinator
    {
        public Task<WikimediaTokenResult> RefreshAsync(
            string sessionKey, Func<CancellationToken, Task<WikimediaTokenResult>> refresh, CancellationToken cancellationToken)
            => throw new InvalidOperationException("The coordinator's store is down.");
    }
}
