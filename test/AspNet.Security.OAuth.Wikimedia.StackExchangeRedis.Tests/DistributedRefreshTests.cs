using System.Diagnostics;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests;

/// <summary>
/// One refresh per session across instances, against the emulator in strict-rotation mode (MediaWiki 1.39: a rotated
/// refresh token is dead at once, so a second token request for the session would end it).
/// </summary>
public sealed class DistributedRefreshTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sixty_concurrent_requests_of_a_due_session_over_three_instances_make_one_token_request(bool serverSideSessions)
    {
        await using var farm = await RedisFarm.StartAsync(instances: 3, serverSideSessions);
        var signIn = await farm.SignInAsync();
        // A slow token endpoint, so that every instance sees the refresh in flight.
        farm.Emulator.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault { Delay = TimeSpan.FromMilliseconds(300), When = r => r.IsRefresh });
        farm.Time.Advance(farm.Lifetime);
        var cookie = farm.CookieHeader();

        var watch = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => farm.GetWithCookieAsync("/me", cookie, instance: i % 3)));
        watch.Stop();

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(farm.Refreshes);
        var tokens = await Task.WhenAll(responses.Select(async r => (await MeResponse.ReadAsync(r)).Tokens["access_token"]));
        var refreshed = Assert.Single(tokens.Distinct());
        Assert.NotEqual(signIn.Tokens["access_token"], refreshed);
        foreach (var response in responses)
        {
            response.Dispose();
        }

        // Every instance goes on with the rotated tokens: a strict server would refuse the spent refresh token.
        for (var instance = 0; instance < 3; instance++)
        {
            using var next = await farm.GetWithCookieAsync("/me", serverSideSessions ? cookie : LatestCookie(responses, cookie), instance);
            Assert.Equal(refreshed, (await MeResponse.ReadAsync(next)).Tokens["access_token"]);
        }

        Assert.Single(farm.Refreshes);
        output.WriteLine($"figures: 60 concurrent requests of one due session over 3 instances ({(serverSideSessions ? "server-side" : "cookie")} sessions): 1 token request, all 200, {watch.ElapsedMilliseconds} ms with a 300 ms token endpoint");
    }

    [Fact]
    public async Task A_failed_refresh_is_shared_by_the_requests_that_waited_for_it_on_every_instance_and_the_session_is_kept()
    {
        await using var farm = await RedisFarm.StartAsync(instances: 3, serverSideSessions: true);
        var signIn = await farm.SignInAsync();
        farm.Emulator.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault { Delay = TimeSpan.FromMilliseconds(300), StatusCode = HttpStatusCode.ServiceUnavailable, When = r => r.IsRefresh, Times = 1 });
        farm.Time.Advance(farm.Lifetime - TimeSpan.FromMinutes(2));

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => farm.GetAsync("/me", instance: i % 3)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(farm.Refreshes);
        Assert.All(await Task.WhenAll(responses.Select(MeResponse.ReadAsync)), me => Assert.Equal(signIn.Tokens["access_token"], me.Tokens["access_token"]));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        // The failure is shared for 10 s of Redis's time (RedisTokenRefreshCoordinator.FailureRetention), less than any
        // back-off; the fake clock does not move Redis's, so its expiry is played by removing it.
        var result = (RedisKey)(RedisFarm.CoordinatorPrefix + RedisFarm.SessionKey(signIn.Tokens["refresh_token"]) + ":result");
        var ttl = await farm.Observer.GetDatabase().KeyTimeToLiveAsync(result);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), RedisTokenRefreshCoordinator.FailureRetention);
        await farm.Observer.GetDatabase().KeyDeleteAsync(result);

        // After the back-off, one instance refreshes, for all.
        farm.Time.Advance(TimeSpan.FromSeconds(31));
        var refreshed = await farm.MeAsync(instance: 2);
        Assert.NotEqual(signIn.Tokens["access_token"], refreshed.Tokens["access_token"]);
        Assert.Equal(refreshed.Tokens["access_token"], (await farm.MeAsync(instance: 0)).Tokens["access_token"]);
        Assert.Equal(2, farm.Refreshes.Count);
    }

    [Fact]
    public async Task A_pre_refresh_cookie_on_another_instance_adopts_the_shared_result_instead_of_spending_the_rotated_token()
    {
        await using var farm = await RedisFarm.StartAsync(instances: 2, serverSideSessions: false);
        await farm.SignInAsync();
        var stale = farm.CookieHeader();
        farm.Time.Advance(farm.Lifetime);
        var refreshed = await farm.MeAsync(instance: 0);

        using var response = await farm.GetWithCookieAsync("/me", stale, instance: 1);

        Assert.Equal(refreshed.Tokens["refresh_token"], (await MeResponse.ReadAsync(response)).Tokens["refresh_token"]);
        Assert.Single(farm.Refreshes);
    }

    [Fact]
    public async Task The_shared_result_is_encrypted_and_short_lived()
    {
        await using var farm = await RedisFarm.StartAsync(instances: 2, serverSideSessions: true);
        var signIn = await farm.SignInAsync();
        farm.Time.Advance(farm.Lifetime);
        var refreshed = await farm.MeAsync(instance: 1);

        var key = (RedisKey)(RedisFarm.CoordinatorPrefix + RedisFarm.SessionKey(signIn.Tokens["refresh_token"]) + ":result");
        var database = farm.Observer.GetDatabase();
        var value = (byte[])(await database.StringGetAsync(key))!;
        var ttl = await database.KeyTimeToLiveAsync(key);

        Assert.NotEmpty(value);
        Assert.True(value.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(refreshed.Tokens["access_token"][..32])) < 0);
        Assert.True(value.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(refreshed.Tokens["refresh_token"][..32])) < 0);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromMinutes(2));
        Assert.False(await database.KeyExistsAsync(RedisFarm.CoordinatorPrefix + RedisFarm.SessionKey(signIn.Tokens["refresh_token"]) + ":lease"));
        // No key of the coordinator holds a token in its name either.
        var server = farm.Observer.GetServer(farm.Observer.GetEndPoints()[0]);
        Assert.DoesNotContain(server.Keys(pattern: "*"), k => k.ToString().Contains(signIn.Tokens["refresh_token"][..16], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_holder_that_stopped_in_the_middle_of_a_refresh_blocks_the_session_no_longer_than_its_lease()
    {
        await using var farm = await RedisFarm.StartAsync(instances: 2, serverSideSessions: true, coordinator: o => o.LeaseTime = TimeSpan.FromSeconds(2));
        var signIn = await farm.SignInAsync();
        // An instance took the lease for this session and died: no result, no release; the lease runs out by itself.
        var lease = (RedisKey)(RedisFarm.CoordinatorPrefix + RedisFarm.SessionKey(signIn.Tokens["refresh_token"]) + ":lease");
        Assert.True(await farm.Observer.GetDatabase().LockTakeAsync(lease, "a-dead-instance", TimeSpan.FromSeconds(2)));
        farm.Time.Advance(farm.Lifetime);

        var watch = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => farm.GetAsync("/me", instance: i % 2)));
        watch.Stop();

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(farm.Refreshes);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.Contains(farm.Apps.SelectMany(a => a.Logs.GetSnapshot()), l => l.Id.Id == 62);
        foreach (var response in responses)
        {
            response.Dispose();
        }

        output.WriteLine($"figures: a session whose refresh holder died waited {watch.ElapsedMilliseconds} ms (lease 2 s) before another instance refreshed it");
    }

    /// <summary>The newest session cookie any response set, or <paramref name="fallback"/>.</summary>
    private static string LatestCookie(HttpResponseMessage[] responses, string fallback)
    {
        var set = responses.SelectMany(r => r.Headers.TryGetValues("Set-Cookie", out var v) ? v : []).LastOrDefault(v => v.StartsWith(".AspNetCore.Cookies=", StringComparison.Ordinal));
        return set is null ? fallback : set[..set.IndexOf(';', StringComparison.Ordinal)];
    }
}
