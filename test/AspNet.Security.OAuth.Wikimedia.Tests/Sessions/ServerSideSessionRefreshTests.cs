using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sessions;

/// <summary>
/// Token refreshes update the stored session in place; the cookie, a reference, is never re-issued for them, so no
/// copy of the tokens can go stale anywhere (docs/token-refresh.md, "Stale cookies", is about cookie sessions).
/// </summary>
public sealed class ServerSideSessionRefreshTests
{
    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task A_due_token_is_refreshed_into_the_store_and_the_cookie_is_not_reissued(EmulatedServer server)
    {
        await using var farm = await ServerSideSessionFixture.StartAsync(server: server, emulatorOptions: o => o.RefreshGraceWindow = TimeSpan.Zero);
        var signIn = await farm.SignInAsync();
        var key = farm.SessionKey();
        var cookie = farm.SessionCookie().Value;

        for (var round = 1; round <= 2; round++)
        {
            farm.Time.Advance(farm.Lifetime);
            using var response = await farm.GetAsync("/me");
            var refreshed = await MeResponse.ReadAsync(response);

            Assert.False(ServerSideSessionFixture.SetsSessionCookie(response));
            Assert.NotEqual(signIn.Tokens["access_token"], refreshed.Tokens["access_token"]);
            var stored = (await farm.Store().RetrieveAsync(key))!;
            Assert.Equal(refreshed.Tokens["access_token"], stored.Properties.GetTokenValue("access_token"));
            Assert.Equal(refreshed.Tokens["refresh_token"], stored.Properties.GetTokenValue("refresh_token"));
            Assert.Equal(round, farm.Refreshes.Count);
            // The next request, with the very same cookie, gets the refreshed tokens from the store.
            Assert.Equal(refreshed.Tokens["access_token"], (await farm.MeAsync()).Tokens["access_token"]);
            signIn = refreshed;
        }

        Assert.Equal(cookie, farm.SessionCookie().Value);
        Assert.Equal(2, farm.Refreshes.Count);
        Assert.DoesNotContain(farm.App.Logs.GetSnapshot(), l => l.Id.Id is 21 or 22);
    }

    [Fact]
    public async Task Twenty_concurrent_requests_of_a_due_session_make_one_refresh_and_none_reissues_the_cookie()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync(server: EmulatedServer.MediaWiki139);
        await farm.SignInAsync();
        farm.Time.Advance(farm.Lifetime);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => farm.GetAsync("/me")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.DoesNotContain(responses, ServerSideSessionFixture.SetsSessionCookie);
        Assert.Single(farm.Refreshes);
        var tokens = await Task.WhenAll(responses.Select(MeResponse.ReadAsync));
        Assert.Single(tokens.Select(t => t.Tokens["access_token"]).Distinct());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_forced_refresh_updates_the_store_without_a_cookie_even_when_asked_for_late()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        var signIn = await farm.SignInAsync();
        farm.Time.Advance(TimeSpan.FromMinutes(2));

        using var response = await farm.GetAsync("/token?force=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(ServerSideSessionFixture.SetsSessionCookie(response));
        var stored = (await farm.Store().RetrieveAsync(farm.SessionKey()))!;
        Assert.NotEqual(signIn.Tokens["access_token"], stored.Properties.GetTokenValue("access_token"));
        Assert.Equal(stored.Properties.GetTokenValue("access_token"), (await farm.MeAsync()).Tokens["access_token"]);
        Assert.DoesNotContain(farm.App.Logs.GetSnapshot(), l => l.Id.Id == 30);
    }

    [Fact]
    public async Task A_sliding_renewal_in_the_request_that_refreshes_keeps_the_refreshed_tokens()
    {
        // The cookie handler clones the ticket for sliding renewal before the refresh runs, and stores that clone
        // when the response starts: the store must not take the session back to the spent refresh token.
        await using var farm = await ServerSideSessionFixture.StartAsync(server: EmulatedServer.MediaWiki139, emulatorOptions: o => o.AccessTokenLifetime = TimeSpan.FromHours(4), cookie: o =>
        {
            // Four hours into six, the refresh's request also slides the session.
            o.ExpireTimeSpan = TimeSpan.FromHours(6);
            o.SlidingExpiration = true;
        });
        await farm.SignInAsync();
        farm.Time.Advance(farm.Lifetime);

        using var response = await farm.GetAsync("/me");
        var refreshed = await MeResponse.ReadAsync(response);

        Assert.True(ServerSideSessionFixture.SetsSessionCookie(response));
        var stored = (await farm.Store().RetrieveAsync(farm.SessionKey()))!;
        Assert.Equal(refreshed.Tokens["refresh_token"], stored.Properties.GetTokenValue("refresh_token"));
        Assert.True(stored.Properties.ExpiresUtc > farm.Time.GetUtcNow().AddHours(5));
        farm.Time.Advance(farm.Lifetime);
        Assert.NotEqual(refreshed.Tokens["access_token"], (await farm.MeAsync()).Tokens["access_token"]);
        Assert.Equal(2, farm.Refreshes.Count);
        Assert.DoesNotContain(farm.App.Logs.GetSnapshot(), l => l.Id.Id is 21 or 22);
    }

    [Fact]
    public async Task Two_instances_share_one_session_and_a_stale_renewal_on_the_other_keeps_the_refreshed_tokens()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync(instances: 2, server: EmulatedServer.MediaWiki139);
        var signIn = await farm.SignInAsync(instance: 0);
        var key = farm.SessionKey();
        Assert.Equal(signIn.Tokens["access_token"], (await farm.MeAsync(instance: 1)).Tokens["access_token"]);
        // What a slow request on instance 1 read before the refresh, and renews after it (sliding expiration).
        var slow = (await farm.Store(1).RetrieveAsync(key))!;

        farm.Time.Advance(farm.Lifetime);
        var refreshed = await farm.MeAsync(instance: 0);
        await farm.Store(1).RenewAsync(key, slow);

        Assert.Equal(refreshed.Tokens["refresh_token"], (await farm.Store(1).RetrieveAsync(key))!.Properties.GetTokenValue("refresh_token"));
        Assert.Equal(refreshed.Tokens["access_token"], (await farm.MeAsync(instance: 1)).Tokens["access_token"]);
        Assert.Single(farm.Refreshes);
        Assert.Contains(farm.Apps[1].Logs.GetSnapshot(), l => l.Id.Id == 56);
    }
}
