using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Api;
using AspNet.Security.OAuth.Wikimedia.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>
/// docs/token-refresh.md: "the old refresh token is kept if none came back" (RFC 6749 lets a server keep its refresh
/// tokens), and a 401 from the API forces a refresh at most once a minute. The coordinator remembers a success for 2
/// minutes keyed by the refresh token spent; a server that does not rotate makes every later refresh of the session
/// spend the same one.
/// </summary>
public class NonRotatingRefreshTests
{
    [Fact]
    public async Task With_a_server_that_keeps_refresh_tokens_a_401_a_minute_after_a_refresh_still_gets_a_new_token()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        // The refresh answer keeps the refresh token (none comes back), and its access token is one the API refuses.
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault
        {
            StatusCode = HttpStatusCode.OK,
            Body = """{"token_type":"Bearer","expires_in":14400,"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.bm90LWFjY2VwdGVk"}""",
            When = r => r.IsRefresh,
            Times = 1,
        });
        session.Time.Advance(TimeSpan.FromHours(4));
        var refused = (await session.MeAsync()).Tokens["access_token"];
        Assert.Single(session.Refreshes);
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);

        var page = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(2, session.Refreshes.Count);
        Assert.Equal(WikimediaApiStatus.Success, page.Status);
        Assert.NotEqual(refused, (await session.MeAsync()).Tokens["access_token"]);
    }
}
