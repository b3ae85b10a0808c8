using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>
/// The refresh path against both emulated servers where their answers differ: the grace period and the words of a
/// refused refresh token (docs/protocol.md section 4). Either way a dead refresh token ends the session cleanly.
/// </summary>
public class EmulatedServerRefreshTests
{
    /// <summary>What another instance of the app, without this one's memory of the rotation, would do.</summary>
    private static async Task SpendElsewhereAsync(RefreshFixture session, string refreshToken)
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = WikimediaEmulatorOptions.DefaultClientId,
            ["client_secret"] = WikimediaEmulatorOptions.DefaultClientSecret,
        });
        using var response = await http.PostAsync(new Uri(session.Emulator.Authority + "/oauth2/access_token"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static void AssertSessionEnded(RefreshFixture session, HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.AbsolutePath);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Cookies=;", StringComparison.Ordinal));
        Assert.Contains(session.App.Logs.GetSnapshot(), l => l.Id.Id == 22 && l.Message.Contains(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, "invalid_grant")]
    [InlineData(EmulatedServer.MediaWiki139, "invalid_request")]
    public async Task A_revoked_grant_ends_the_session_in_either_servers_words(EmulatedServer server, string error)
    {
        await using var session = await RefreshFixture.SignedInAsync(server: server);
        session.Emulator.RevokeGrants("Example User");
        session.Time.Advance(session.Lifetime);

        using var response = await session.GetAsync("/me");

        AssertSessionEnded(session, response, error);
        Assert.Equal("NotAuthenticated", (await session.TokenAsync()).Status);
        Assert.Single(session.Refreshes);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, "invalid_grant")]
    [InlineData(EmulatedServer.MediaWiki139, "invalid_request")]
    public async Task A_refresh_token_spent_elsewhere_ends_the_session_once_the_server_refuses_it(EmulatedServer server, string error)
    {
        await using var session = await RefreshFixture.SignedInAsync(server: server);
        await SpendElsewhereAsync(session, (await session.MeAsync()).Tokens["refresh_token"]);
        // Due, and past Wikimedia's grace period (4 h against 600 s); 1.39 has none.
        session.Time.Advance(session.Lifetime);

        using var response = await session.GetAsync("/me");

        AssertSessionEnded(session, response, error);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, true)]
    [InlineData(EmulatedServer.MediaWiki139, false)]
    public async Task A_refresh_token_spent_elsewhere_moments_ago_still_refreshes_within_wikimedias_grace_period(EmulatedServer server, bool kept)
    {
        await using var session = await RefreshFixture.SignedInAsync(server: server);
        var signIn = await session.MeAsync();
        session.Time.Advance(session.Lifetime - TimeSpan.FromMinutes(4));
        await SpendElsewhereAsync(session, signIn.Tokens["refresh_token"]);

        using var response = await session.GetAsync("/me");

        // The other instance's refresh, then this one's.
        Assert.Equal(2, session.Refreshes.Count);
        if (kept)
        {
            Assert.NotEqual(signIn.Tokens["access_token"], (await Infrastructure.MeResponse.ReadAsync(response)).Tokens["access_token"]);
        }
        else
        {
            AssertSessionEnded(session, response, "invalid_request");
        }
    }

    /// <summary>
    /// Wikimedia refuses a revoked grant's access token with a 403, which no refresh can mend; 1.39 with a 401, so the
    /// API client tries one refresh, which is refused too, and the session ends.
    /// </summary>
    [Theory]
    [InlineData(EmulatedServer.Wikimedia, WikimediaApiStatus.Forbidden, 0, HttpStatusCode.OK)]
    [InlineData(EmulatedServer.MediaWiki139, WikimediaApiStatus.Unauthorized, 1, HttpStatusCode.Found)]
    public async Task A_revoked_grant_met_at_the_api(EmulatedServer server, WikimediaApiStatus status, int refreshes, HttpStatusCode me)
    {
        await using var session = await RefreshFixture.SignedInAsync(server: server);
        session.Emulator.RevokeGrants("Example User");
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);

        var result = await Api.ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(status, result.Status);
        Assert.Equal(refreshes, session.Refreshes.Count);
        using var after = await session.GetAsync("/me");
        Assert.Equal(me, after.StatusCode);
    }
}
