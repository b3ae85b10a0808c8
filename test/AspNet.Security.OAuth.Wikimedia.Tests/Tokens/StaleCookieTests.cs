using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>
/// A cookie written before a refresh (by a slow request, or kept by a browser that was offline) comes back after
/// the coordinator forgot the refresh: on a server with strict rotation, spending its refresh token again would end
/// the session.
/// </summary>
public class StaleCookieTests
{
    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task A_stale_cookie_adopts_the_newest_tokens_instead_of_spending_its_rotated_refresh_token(EmulatedServer server)
    {
        await using var session = await RefreshFixture.SignedInAsync(o => o.RefreshGraceWindow = TimeSpan.Zero, server: server);
        var stale = session.CookieHeader();
        session.Time.Advance(session.Lifetime);
        var refreshed = await session.MeAsync();
        Assert.Single(session.Refreshes);
        session.Time.Advance(InProcessTokenRefreshCoordinator.SuccessRetention + TimeSpan.FromMinutes(1));

        using var response = await session.GetWithCookieAsync("/me", stale);
        var me = await MeResponse.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(refreshed.Tokens["access_token"], me.Tokens["access_token"]);
        Assert.Equal(refreshed.Tokens["refresh_token"], me.Tokens["refresh_token"]);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Cookies=", StringComparison.Ordinal));
        Assert.Single(session.Refreshes);
        Assert.Contains(session.App.Logs.GetSnapshot(), l => l.Id.Id == 25);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task A_cookie_renewal_never_writes_tokens_older_than_the_newest_known_for_the_session(EmulatedServer server)
    {
        await using var session = await RefreshFixture.SignedInAsync(o => o.RefreshGraceWindow = TimeSpan.Zero, server: server);
        var format = session.App.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat;
        // What a slow request holds: the ticket as it was read before the refresh.
        var slowRequestsTicket = format.Unprotect(SessionCookie(session))!;
        session.Time.Advance(session.Lifetime);
        var refreshed = await session.MeAsync();

        // The slow request now renews its cookie (sliding expiration) with the ticket it read.
        var written = format.Unprotect(format.Protect(slowRequestsTicket))!;

        Assert.Equal(refreshed.Tokens["access_token"], written.Properties.GetTokenValue("access_token"));
        Assert.Equal(refreshed.Tokens["refresh_token"], written.Properties.GetTokenValue("refresh_token"));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task A_request_with_a_pre_refresh_token_rejected_by_the_api_retries_with_the_current_token_without_refreshing(EmulatedServer server)
    {
        await using var session = await RefreshFixture.SignedInAsync(server: server);
        var signIn = await session.MeAsync();
        session.Time.Advance(session.Lifetime);
        var refreshed = await session.MeAsync();
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);

        var retry = await session.TokenAsync(rejected: signIn.Tokens["access_token"]);

        Assert.Equal(("Success", refreshed.Tokens["access_token"]), (retry.Status, retry.AccessToken));
        Assert.Single(session.Refreshes);
    }

    /// <summary>The cookie handler's value of the session cookie, reassembled from its chunks.</summary>
    private static string SessionCookie(RefreshFixture session)
    {
        var cookies = session.Browser.CookiesFor(session.App.BaseAddress);
        var value = cookies[".AspNetCore.Cookies"]!.Value;
        return value.StartsWith("chunks-", StringComparison.Ordinal)
            ? string.Concat(Enumerable.Range(1, int.Parse(value["chunks-".Length..], System.Globalization.CultureInfo.InvariantCulture)).Select(i => cookies[".AspNetCore.CookiesC" + i]!.Value))
            : value;
    }
}
