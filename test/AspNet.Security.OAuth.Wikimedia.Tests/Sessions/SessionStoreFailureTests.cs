using System.Net;
using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Sessions;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sessions;

/// <summary>
/// Damaged, unknown or swapped session references are anonymous, and a store that fails is a clear log line, never a
/// 500: reads make the request anonymous until the store is back, a sign-in fails through OnRemoteFailure.
/// </summary>
public sealed class SessionStoreFailureTests
{
    [Fact]
    public async Task A_tampered_cookie_is_anonymous()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        await farm.SignInAsync();
        var value = farm.SessionCookie().Value;

        foreach (var tampered in new[] { value[..^4], value[..20] + (value[20] == 'A' ? 'B' : 'A') + value[21..], "garbage", value + value })
        {
            Assert.True(await farm.IsAnonymousAsync(".AspNetCore.Cookies=" + tampered));
        }
    }

    [Fact]
    public async Task A_genuine_cookie_with_an_unknown_reference_is_anonymous()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        await farm.SignInAsync();
        // A cookie the app itself could have written, for a session that is not (or no longer) stored.
        var ticket = new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim("Microsoft.AspNetCore.Authentication.Cookies-SessionId", "AAAAAAAAAAAAAAAAAAAAAA")], "Cookies")),
            CookieAuthenticationDefaults.AuthenticationScheme);
        var unknown = farm.CookieOptions().TicketDataFormat.Protect(ticket);

        Assert.True(await farm.IsAnonymousAsync(".AspNetCore.Cookies=" + unknown));
        Assert.Equal("Example User", (await farm.MeAsync()).Name);
    }

    [Fact]
    public async Task An_entry_copied_under_another_reference_does_not_decrypt()
    {
        // Someone who can write to the cache puts the victim's (an administrator's) session under their own reference.
        await using var farm = await ServerSideSessionFixture.StartAsync();
        using var victim = new TestBrowser();
        await MeResponse.ReadAsync(await victim.SignInAsync(farm.App.BaseAddress, "Alice Admin"));
        var victimKey = farm.CookieOptions().TicketDataFormat.Unprotect(victim.CookiesFor(farm.App.BaseAddress)[".AspNetCore.Cookies"]!.Value)!.Principal.Claims.Single().Value;
        await farm.SignInAsync("Example User");
        var ownKey = farm.SessionKey();

        farm.Cache.Set(farm.Store().CacheKey(ownKey), farm.Entry(victimKey)!, new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });

        Assert.True(await farm.IsAnonymousAsync());
        Assert.Contains(farm.App.Logs.GetSnapshot(), l => l.Id.Id == 54 && l.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task While_the_store_is_down_requests_are_anonymous_with_a_clear_log_line_and_the_session_comes_back_with_the_store()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        await farm.SignInAsync();

        farm.Cache.Down = true;
        Assert.True(await farm.IsAnonymousAsync());
        var line = farm.App.Logs.GetSnapshot().First(l => l.Id.Id == 50 && l.Level == LogLevel.Error);
        Assert.Contains("could not be read", line.Message, StringComparison.Ordinal);
        Assert.IsType<CacheUnavailableException>(line.Exception);

        farm.Cache.Down = false;
        Assert.Equal("Example User", (await farm.MeAsync()).Name);
    }

    [Fact]
    public async Task A_cache_that_no_longer_answers_costs_a_request_the_store_timeout_and_the_session_comes_back_with_it()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync(sessions: o => o.StoreTimeout = TimeSpan.FromMilliseconds(200));
        await farm.SignInAsync();

        farm.Cache.Hangs = true;
        Assert.True(await farm.IsAnonymousAsync());
        Assert.IsType<TimeoutException>(farm.App.Logs.GetSnapshot().First(l => l.Id.Id == 50 && l.Level == LogLevel.Error).Exception);
        using var other = new TestBrowser();
        using var landed = await other.SignInAsync(farm.App.BaseAddress, "Alice Admin");
        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.IsType<SessionStoreUnavailableException>(Assert.Single(farm.App.RemoteFailures));

        farm.Cache.Hangs = false;
        Assert.Equal("Example User", (await farm.MeAsync()).Name);
    }

    [Fact]
    public async Task A_store_timeout_too_long_for_a_timer_is_refused_at_startup_not_a_failure_of_every_sign_in()
    {
        // Task.WaitAsync takes at most 4,294,967,294 ms (49.7 days): a longer StoreTimeout passed the check and then made
        // every read, write and removal of the cache throw ArgumentOutOfRangeException, so no session could ever be stored.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var farm = await ServerSideSessionFixture.StartAsync(sessions: o => o.StoreTimeout = TimeSpan.FromDays(60));
            await farm.SignInAsync();
        });
        Assert.Contains("StoreTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_while_the_store_is_down_fails_through_OnRemoteFailure_not_with_a_500()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        farm.Cache.Down = true;

        using var landed = await farm.Browser.SignInAsync(farm.App.BaseAddress);

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.IsType<SessionStoreUnavailableException>(Assert.Single(farm.App.RemoteFailures));
        Assert.Equal("session_store_unavailable", failure.Data["error"]);
        // The sign-in is logged as what it was: failed (5), not signed in (6).
        Assert.DoesNotContain(farm.App.Logs.GetSnapshot(), l => l.Id.Id == 6 && l.Category == typeof(WikimediaAuthenticationHandler).FullName);
        Assert.Contains(farm.App.Logs.GetSnapshot(), l => l.Id.Id == 5 && l.Category == typeof(WikimediaAuthenticationHandler).FullName);
        Assert.Contains(farm.App.Logs.GetSnapshot(), l => l.Id.Id == 51 && l.Level == LogLevel.Error);

        farm.Cache.Down = false;
        Assert.Equal("Example User", (await farm.SignInAsync()).Name);
    }

    [Fact]
    public async Task A_sign_in_while_the_store_is_down_keeps_its_return_url_for_OnRemoteFailure()
    {
        // The base handler clears the ticket's return URL before it signs in; the failure must still see where the user
        // was going, as every other failure after the correlation check does.
        var returnUrls = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        await using var farm = await ServerSideSessionFixture.StartAsync(configure: o =>
        {
            var recordFailure = o.Events.OnRemoteFailure;
            o.Events.OnRemoteFailure = context =>
            {
                returnUrls.Enqueue(context.Properties?.RedirectUri);
                return recordFailure(context);
            };
        });
        farm.Cache.Down = true;

        using var landed = await farm.Browser.SignInAsync(farm.App.BaseAddress, returnUrl: "/me?tab=edits");

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.IsType<SessionStoreUnavailableException>(Assert.Single(farm.App.RemoteFailures));
        Assert.Equal("/me?tab=edits", Assert.Single(returnUrls));
    }

    [Fact]
    public async Task A_sign_out_while_the_store_is_down_still_deletes_the_cookie_and_says_the_entry_lives_on()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        await farm.SignInAsync();
        farm.Cache.Down = true;

        using var signOut = await farm.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(farm.App.BaseAddress, "/signout")));

        Assert.Equal(HttpStatusCode.OK, signOut.StatusCode);
        Assert.True(ServerSideSessionFixture.SetsSessionCookie(signOut));
        Assert.Contains(farm.App.Logs.GetSnapshot(), l => l.Id.Id == 53 && l.Level == LogLevel.Error);

        // The browser is signed out all the same.
        farm.Cache.Down = false;
        Assert.True(await farm.IsAnonymousAsync());
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task A_refresh_whose_store_write_fails_serves_the_request_and_the_next_request_adopts_the_rotated_tokens(EmulatedServer server)
    {
        await using var farm = await ServerSideSessionFixture.StartAsync(server: server, emulatorOptions: o => o.RefreshGraceWindow = TimeSpan.Zero);
        var signIn = await farm.SignInAsync();
        farm.Time.Advance(farm.Lifetime);

        farm.Cache.WritesFail = true;
        var refreshed = await farm.MeAsync();
        Assert.NotEqual(signIn.Tokens["access_token"], refreshed.Tokens["access_token"]);
        Assert.Contains(farm.App.Logs.GetSnapshot(), l => l.Id.Id == 52 && l.Level == LogLevel.Error);

        // The store still holds the spent refresh token; the process remembers the rotated ones (RotationLedger), long
        // after the coordinator forgot the refresh, and a strict server is never asked to take the spent one.
        farm.Cache.WritesFail = false;
        farm.Time.Advance(TimeSpan.FromMinutes(10));
        var next = await farm.MeAsync();

        Assert.Equal(refreshed.Tokens["access_token"], next.Tokens["access_token"]);
        Assert.Equal(refreshed.Tokens["refresh_token"], (await farm.Store().RetrieveAsync(farm.SessionKey()))!.Properties.GetTokenValue("refresh_token"));
        Assert.Single(farm.Refreshes);
    }
}
