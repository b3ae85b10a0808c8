using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

public class TokenRefreshTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(4);

    [Fact]
    public async Task A_hundred_requests_with_a_fresh_token_make_no_token_endpoint_call()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var signInToken = (await session.MeAsync()).Tokens["access_token"];

        for (var i = 0; i < 100; i++)
        {
            session.Time.Advance(TimeSpan.FromSeconds(140)); // 100 x 140 s = 3 h 53 min: never within 5 min of expiry
            using var response = await session.GetAsync("/me");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Empty(session.Refreshes);
        Assert.Equal(signInToken, (await session.MeAsync()).Tokens["access_token"]);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task A_due_token_is_refreshed_once_the_cookie_reissued_and_the_next_refresh_uses_the_rotated_token(EmulatedServer server)
    {
        await using var session = await RefreshFixture.SignedInAsync(o => o.RefreshGraceWindow = TimeSpan.Zero, server: server);
        var signIn = await session.MeAsync();
        var lifetime = session.Lifetime;

        session.Time.Advance(lifetime - TimeSpan.FromMinutes(4));
        using (var response = await session.GetAsync("/me"))
        {
            Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Cookies=", StringComparison.Ordinal));
            var first = await MeResponse.ReadAsync(response);
            Assert.NotEqual(signIn.Tokens["access_token"], first.Tokens["access_token"]);
            Assert.NotEqual(signIn.Tokens["refresh_token"], first.Tokens["refresh_token"]);
            Assert.Equal(signIn.Tokens["refresh_token"], Assert.Single(session.Refreshes).Form["refresh_token"]);
        }

        var afterFirst = await session.MeAsync();
        Assert.Single(session.Refreshes);

        session.Time.Advance(lifetime - TimeSpan.FromMinutes(4));
        var second = await session.MeAsync();

        Assert.Equal(2, session.Refreshes.Count);
        Assert.Equal(afterFirst.Tokens["refresh_token"], session.Refreshes[1].Form["refresh_token"]);
        Assert.NotEqual(afterFirst.Tokens["access_token"], second.Tokens["access_token"]);
        Assert.Equal(session.Time.GetUtcNow() + lifetime, DateTimeOffset.Parse(second.Tokens["expires_at"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Refresh_requests_carry_client_authentication_and_the_user_agent_but_no_bearer()
    {
        await using var session = await RefreshFixture.SignedInAsync(configure: o => o.UserAgent = "RefreshTest/1.0 (ops@example.org)");

        session.Time.Advance(Lifetime);
        await session.MeAsync();

        var refresh = Assert.Single(session.Refreshes);
        Assert.Equal(WikimediaEmulatorOptions.DefaultClientId, refresh.Form["client_id"]);
        Assert.Equal(WikimediaEmulatorOptions.DefaultClientSecret, refresh.Form["client_secret"]);
        Assert.Equal("RefreshTest/1.0 (ops@example.org)", refresh.Header("User-Agent"));
        Assert.Null(refresh.Header("Authorization"));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task Fifty_concurrent_requests_with_an_expired_token_make_exactly_one_refresh_and_all_succeed(EmulatedServer server)
    {
        await using var session = await RefreshFixture.SignedInAsync(o => o.RefreshGraceWindow = TimeSpan.Zero, server: server);
        // Slow the refresh down so that all fifty requests are in flight while it runs.
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, EmulatorFault.Slow(TimeSpan.FromMilliseconds(300)));
        session.Time.Advance(session.Lifetime + TimeSpan.FromMinutes(1));

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => session.GetAsync("/me")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var tokens = await Task.WhenAll(responses.Select(MeResponse.ReadAsync));
        Assert.Single(session.Refreshes);
        Assert.Single(tokens.Select(t => t.Tokens["access_token"]).Distinct());
        // The token they all hold is the refreshed one, and the API accepts it.
        Assert.Equal("Success", (await session.TokenAsync()).Status);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Concurrent_requests_sharing_one_refresh_raise_the_refreshed_event_and_log_once()
    {
        var events = 0;
        await using var session = await RefreshFixture.SignedInAsync(configure: o => o.Events.OnTokenRefreshed = _ =>
        {
            Interlocked.Increment(ref events);
            return Task.CompletedTask;
        });
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, EmulatorFault.Slow(TimeSpan.FromMilliseconds(300)));
        session.Time.Advance(Lifetime);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => session.GetAsync("/me")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(session.Refreshes);
        Assert.Equal(1, events);
        Assert.Single(session.App.Logs.GetSnapshot(), l => l.Id.Id == 20);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Short_lived_tokens_are_refreshed_at_half_life_not_on_every_request()
    {
        await using var session = await RefreshFixture.SignedInAsync(o => o.AccessTokenLifetime = TimeSpan.FromMinutes(4));

        session.Time.Advance(TimeSpan.FromMinutes(1.5));
        await session.MeAsync();
        Assert.Empty(session.Refreshes);

        session.Time.Advance(TimeSpan.FromMinutes(0.6));
        await session.MeAsync();
        Assert.Single(session.Refreshes);

        await session.MeAsync();
        Assert.Single(session.Refreshes);
    }

    [Fact]
    public async Task Invalid_grant_ends_the_session()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.RevokeGrants("Example User");
        session.Time.Advance(Lifetime);

        using var response = await session.GetAsync("/me");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.AbsolutePath);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Cookies=;", StringComparison.Ordinal));
        Assert.Equal("NotAuthenticated", (await session.TokenAsync()).Status);
        Assert.Contains(session.App.Logs.GetSnapshot(), l => l.Id.Id == 22 && l.Message.Contains("invalid_grant", StringComparison.Ordinal));
        Assert.Single(session.Refreshes);
    }

    [Fact]
    public async Task A_5xx_while_the_token_is_valid_keeps_the_request_working_and_a_later_refresh_succeeds()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var signIn = await session.MeAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault { StatusCode = HttpStatusCode.BadGateway, Body = "<html>Bad gateway</html>", ContentType = "text/html", Times = 1 });
        session.Time.Advance(Lifetime - TimeSpan.FromMinutes(4));

        var during = await session.MeAsync();
        Assert.Equal(signIn.Tokens["access_token"], during.Tokens["access_token"]);
        Assert.Equal("Success", (await session.TokenAsync()).Status);
        Assert.Single(session.Refreshes);

        // Back-off: no new attempt for 30 seconds, whatever the traffic.
        session.Time.Advance(TimeSpan.FromSeconds(20));
        await session.MeAsync();
        Assert.Single(session.Refreshes);

        session.Time.Advance(TimeSpan.FromSeconds(15));
        var after = await session.MeAsync();
        Assert.Equal(2, session.Refreshes.Count);
        Assert.NotEqual(signIn.Tokens["access_token"], after.Tokens["access_token"]);
        Assert.Contains(session.App.Logs.GetSnapshot(), l => l.Id.Id == 21 && l.Message.Contains("HTTP 502", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_5xx_after_expiry_keeps_the_session_reports_the_token_expired_and_retries_with_back_off()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, EmulatorFault.HtmlError(HttpStatusCode.ServiceUnavailable));
        session.Time.Advance(Lifetime + TimeSpan.FromMinutes(1));

        using (var response = await session.GetAsync("/me"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal("Expired", (await session.TokenAsync()).Status);
        Assert.Single(session.Refreshes);

        // The second failure doubles the wait: 30 s, then 60 s.
        session.Time.Advance(TimeSpan.FromSeconds(31));
        await session.MeAsync();
        Assert.Equal(2, session.Refreshes.Count);
        session.Time.Advance(TimeSpan.FromSeconds(31));
        await session.MeAsync();
        Assert.Equal(2, session.Refreshes.Count);

        session.Emulator.Faults.Clear();
        session.Time.Advance(TimeSpan.FromSeconds(30));
        await session.MeAsync();
        Assert.Equal(3, session.Refreshes.Count);
        Assert.Equal("Success", (await session.TokenAsync()).Status);
    }

    [Fact]
    public async Task A_timeout_of_the_token_endpoint_is_transient()
    {
        await using var session = await RefreshFixture.SignedInAsync(configure: o => o.BackchannelTimeout = TimeSpan.FromMilliseconds(300));
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault { Delay = TimeSpan.FromSeconds(20), Times = 1 });
        session.Time.Advance(Lifetime - TimeSpan.FromMinutes(1));

        using var response = await session.GetAsync("/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(session.App.Logs.GetSnapshot(), l => l.Id.Id == 21 && l.Message.Contains("did not answer within 0.3 s", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, "invalid_grant", 400)]
    [InlineData(EmulatedServer.MediaWiki139, "invalid_request", 401)]
    public async Task The_refreshed_event_fires_and_the_failed_event_can_keep_a_revoked_session(EmulatedServer server, string error, int status)
    {
        var refreshed = new List<WikimediaTokenRefreshedContext>();
        var failed = new List<WikimediaTokenRefreshFailedContext>();
        await using var session = await RefreshFixture.SignedInAsync(configure: o =>
        {
            o.Events.OnTokenRefreshed = context =>
            {
                refreshed.Add(context);
                return Task.CompletedTask;
            };
            o.Events.OnTokenRefreshFailed = context =>
            {
                failed.Add(context);
                context.SignOut = false;
                return Task.CompletedTask;
            };
        }, server: server);

        session.Time.Advance(session.Lifetime);
        await session.MeAsync();
        var success = Assert.Single(refreshed);
        Assert.Equal(session.Time.GetUtcNow() + session.Lifetime, success.ExpiresAt);
        Assert.Equal("Example User", success.Principal.Identity!.Name);

        session.Emulator.RevokeGrants("Example User");
        session.Time.Advance(session.Lifetime);
        using var response = await session.GetAsync("/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var failure = Assert.Single(failed);
        Assert.Equal(WikimediaTokenStatus.SessionEnded, failure.Result.Status);
        Assert.Equal(error, failure.Result.Error);
        Assert.Equal(status, failure.Result.StatusCode);
        Assert.False(failure.Result.IsTransient);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, true)]
    // MediaWiki 1.39 refuses them without being told to (test/realwiki/README.md).
    [InlineData(EmulatedServer.MediaWiki139, false)]
    public async Task A_public_consumer_refused_with_invalid_client_logs_once_why_and_keeps_the_session(EmulatedServer server, bool refuseExplicitly)
    {
        await using var session = await RefreshFixture.SignedInAsync(
            o =>
            {
                if (refuseExplicitly)
                {
                    o.RefuseRefreshForPublicClients = true;
                }
            },
            clientId: WikimediaEmulatorOptions.DefaultPublicClientId,
            server: server);
        var lifetime = session.Lifetime;
        session.Time.Advance(lifetime - TimeSpan.FromMinutes(1));

        await session.MeAsync();
        await session.MeAsync();
        using var second = new TestBrowser();
        await MeResponse.ReadAsync(await second.SignInAsync(session.App.BaseAddress));
        session.Time.Advance(lifetime - TimeSpan.FromMinutes(1));
        using var again = await second.GetAsync(new Uri(session.App.BaseAddress, "/me"));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, session.Refreshes.Count);
        var warning = Assert.Single(session.App.Logs.GetSnapshot(), l => l.Id.Id == 23);
        Assert.Contains("confidential", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_works_with_the_apps_own_cookie_events_type()
    {
        await using var session = await RefreshFixture.SignedInAsync(
            services: s => s.AddSingleton<CountingCookieEvents>(),
            cookie: o => o.EventsType = typeof(CountingCookieEvents));
        var counter = session.App.Services.GetRequiredService<CountingCookieEvents>();
        var before = counter.Validations;

        session.Time.Advance(Lifetime);
        await session.MeAsync();

        Assert.Single(session.Refreshes);
        Assert.True(counter.Validations > before);
        Assert.True(counter.SignIns > 0);
    }

    [Fact]
    public async Task Refresh_works_with_the_apps_own_cookie_events_instance()
    {
        var validations = 0;
        await using var session = await RefreshFixture.SignedInAsync(cookie: o => o.Events.OnValidatePrincipal = _ =>
        {
            Interlocked.Increment(ref validations);
            return Task.CompletedTask;
        });

        session.Time.Advance(Lifetime);
        await session.MeAsync();

        Assert.Single(session.Refreshes);
        Assert.True(validations > 0);
    }

    public sealed class CountingCookieEvents : CookieAuthenticationEvents
    {
        private int _validations;
        private int _signIns;

        public int Validations => _validations;

        public int SignIns => _signIns;

        public override Task ValidatePrincipal(CookieValidatePrincipalContext context)
        {
            Interlocked.Increment(ref _validations);
            return base.ValidatePrincipal(context);
        }

        public override Task SigningIn(CookieSigningInContext context)
        {
            Interlocked.Increment(ref _signIns);
            return base.SigningIn(context);
        }
    }
}
