using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests;

/// <summary>
/// Redis going away is a documented behaviour: no 500, a clear log line, and no session lost while its token is
/// valid. By default a due session keeps its access token and tries again after the back-off; when Redis is back, it
/// refreshes once.
/// </summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task While_Redis_is_down_a_due_session_keeps_its_valid_token_and_refreshes_once_when_Redis_is_back()
    {
        await using var farm = await RedisFarm.StartAsync(instances: 2, serverSideSessions: false);
        var signIn = await farm.SignInAsync();
        // The second instance reads the session once while Redis is up, so that its Data Protection key ring holds the key
        // that protects the cookie: one that started before instance 0 made that key would otherwise look it up in Redis
        // during the outage, and answer as if signed out (seen once in a full run). Not due yet: no refresh.
        using (var warm = await farm.GetAsync("/me", instance: 1))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // Due (5 minutes before expiry) but still valid for 2 minutes.
        farm.Time.Advance(farm.Lifetime - TimeSpan.FromMinutes(2));

        var cookie = farm.CookieHeader();

        await farm.Redis.StopAsync();
        // The cookie as it was (with no back-off yet), to each instance, several times.
        for (var round = 0; round < 3; round++)
        {
            for (var instance = 0; instance < 2; instance++)
            {
                using var response = await farm.GetWithCookieAsync("/me", cookie, instance);
                var me = await MeResponse.ReadAsync(response);
                Assert.Equal(signIn.Tokens["access_token"], me.Tokens["access_token"]);
                using var token = await farm.GetWithCookieAsync("/token", cookie, instance);
                Assert.Equal(HttpStatusCode.OK, token.StatusCode);
                Assert.Contains("\"status\":\"Success\"", await token.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        using (var browser = await farm.GetAsync("/me", instance: 0))
        {
            Assert.Equal(HttpStatusCode.OK, browser.StatusCode);
        }

        Assert.Empty(farm.Refreshes);
        foreach (var app in farm.Apps)
        {
            // Once per outage and instance, not once per request.
            var line = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 60);
            Assert.Equal(LogLevel.Error, line.Level);
            Assert.Contains("Redis cannot be reached", line.Message, StringComparison.Ordinal);
        }

        Assert.Contains(farm.Apps.SelectMany(a => a.Logs.GetSnapshot()), l => l.Id.Id == 21 && l.Message.Contains("still valid: True", StringComparison.Ordinal));

        await farm.Redis.StartAgainAsync();
        await farm.WaitConnectedAsync();
        farm.Time.Advance(TimeSpan.FromSeconds(61));
        var refreshed = await farm.MeAsync(instance: 1);
        var onTheOther = await farm.MeAsync(instance: 0);

        Assert.NotEqual(signIn.Tokens["access_token"], refreshed.Tokens["access_token"]);
        Assert.Equal(refreshed.Tokens["access_token"], onTheOther.Tokens["access_token"]);
        Assert.Single(farm.Refreshes);
        Assert.Contains(farm.Apps[1].Logs.GetSnapshot(), l => l.Id.Id == 61);
    }

    [Fact]
    public async Task Refreshing_locally_while_Redis_is_down_is_an_option_for_servers_with_a_grace_period()
    {
        await using var farm = await RedisFarm.StartAsync(instances: 2, serverSideSessions: false, server: EmulatedServer.Wikimedia,
            coordinator: o => o.RefreshLocallyWhenUnavailable = true);
        var signIn = await farm.SignInAsync();
        farm.Time.Advance(farm.Lifetime);
        await farm.Redis.StopAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => farm.GetAsync("/me", instance: 0)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.NotEqual(signIn.Tokens["access_token"], (await MeResponse.ReadAsync(responses[0])).Tokens["access_token"]);
        // Still one refresh per instance: its requests share it.
        Assert.Single(farm.Refreshes);
        Assert.Contains(farm.Apps[0].Logs.GetSnapshot(), l => l.Id.Id == 60 && l.Message.Contains("True", StringComparison.Ordinal));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Server_side_sessions_in_Redis_are_anonymous_while_it_is_down_and_come_back_with_it()
    {
        await using var farm = await RedisFarm.StartAsync(instances: 2, serverSideSessions: true);
        await farm.SignInAsync();

        await farm.Redis.StopAsync();
        using (var home = await farm.GetAsync("/", instance: 1))
        {
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            Assert.Equal("Anonymous", await home.Content.ReadAsStringAsync());
        }

        Assert.Contains(farm.Apps[1].Logs.GetSnapshot(), l => l.Id.Id == 50 && l.Level == LogLevel.Error);

        // Redis without persistence restarts empty: the session is gone, and the user signs in again.
        await farm.Redis.StartAgainAsync();
        await farm.WaitConnectedAsync();
        using (var home = await farm.GetAsync("/", instance: 1))
        {
            Assert.Equal("Anonymous", await home.Content.ReadAsStringAsync());
        }
    }
}
