using System.Globalization;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>What the session believes of a token's lifetime, whatever <c>expires_in</c> the server sends.</summary>
public class ExpiresInTests
{
    private static EmulatorFault RefreshAnswer(string expiresIn) => new()
    {
        StatusCode = HttpStatusCode.OK,
        Body = $$"""{"token_type":"Bearer","expires_in":{{expiresIn}},"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln","refresh_token":"def50200aa"}""",
        When = r => r.IsRefresh,
        Times = 1,
    };

    [Theory]
    [InlineData("1764400000000", 86400)]       // milliseconds since the epoch, sent as seconds
    [InlineData("1e300", 86400)]
    [InlineData("\"14400\"", 14400)]
    [InlineData("1", 60)]
    [InlineData("3600.5", 3600.5)]
    public async Task An_absurd_expires_in_at_refresh_is_clamped_and_the_session_keeps_working(string expiresIn, double believedSeconds)
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, RefreshAnswer(expiresIn));
        session.Time.Advance(TimeSpan.FromHours(4));
        var refreshedAt = session.Time.GetUtcNow();

        var me = await session.MeAsync();
        using var anonymous = await session.GetAsync("/");
        using var again = await session.GetAsync("/me");

        Assert.Equal("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln", me.Tokens["access_token"]);
        Assert.Equal(refreshedAt + TimeSpan.FromSeconds(believedSeconds), DateTimeOffset.Parse(me.Tokens["expires_at"], CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("\"0\"")]
    [InlineData("-5")]
    [InlineData("\"soon\"")]
    public async Task A_zero_negative_or_unreadable_expires_in_is_a_transient_failure_whether_number_or_string(string expiresIn)
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var signIn = await session.MeAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, RefreshAnswer(expiresIn));
        session.Time.Advance(TimeSpan.FromHours(4) - TimeSpan.FromMinutes(2));

        var me = await session.MeAsync();

        Assert.Equal(signIn.Tokens["access_token"], me.Tokens["access_token"]);
        var failure = Assert.Single(session.App.Logs.GetSnapshot(), l => l.Id.Id == 21);
        Assert.Contains("expires_in is not a positive number", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_absurd_expires_in_at_sign_in_is_clamped_to_a_day()
    {
        // A century-long lifetime: expires_in is about 3.2 billion seconds, as a server counting in the wrong unit sends.
        await using var session = await RefreshFixture.SignedInAsync(o => o.AccessTokenLifetime = TimeSpan.FromDays(36_500));

        var me = await session.MeAsync();

        Assert.Equal(session.Time.GetUtcNow() + SessionTokens.MaximumLifetime, DateTimeOffset.Parse(me.Tokens["expires_at"], CultureInfo.InvariantCulture));
        session.Time.Advance(SessionTokens.MaximumLifetime);
        Assert.NotEqual(me.Tokens["access_token"], (await session.MeAsync()).Tokens["access_token"]);
        Assert.Single(session.Refreshes);
    }

    [Fact]
    public async Task A_token_answer_without_expires_in_gets_a_one_hour_lifetime_so_it_is_refreshed_in_time()
    {
        await using var session = await RefreshFixture.SignedInAsync(o => o.SendExpiresIn = false);
        var signIn = await session.MeAsync();

        Assert.Equal(session.Time.GetUtcNow() + SessionTokens.DefaultLifetime, DateTimeOffset.Parse(signIn.Tokens["expires_at"], CultureInfo.InvariantCulture));

        session.Time.Advance(SessionTokens.DefaultLifetime - TimeSpan.FromMinutes(4));
        var refreshed = await session.MeAsync();

        Assert.Single(session.Refreshes);
        Assert.NotEqual(signIn.Tokens["access_token"], refreshed.Tokens["access_token"]);
    }

    [Fact]
    public async Task A_token_without_expires_in_is_still_refreshed_after_the_api_refuses_it()
    {
        await using var session = await RefreshFixture.SignedInAsync(o => o.SendExpiresIn = false);
        var signIn = await session.MeAsync();
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.Unauthorized, Body = "{}", Times = 1 });

        var result = await Api.ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.Single(session.Refreshes);
        Assert.NotEqual(signIn.Tokens["access_token"], (await session.MeAsync()).Tokens["access_token"]);
    }
}
