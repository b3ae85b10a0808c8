using System.Diagnostics;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests.Farm;

/// <summary>
/// The sample as a real farm: two <c>dotnet</c> processes of the built sample in farm mode (ConnectionStrings:Redis),
/// Debian's nginx in front on loopback (round robin, the public Host passed on), a real redis-server behind, and one
/// emulator in strict-rotation mode (MediaWiki 1.39: no grace window for a spent refresh token) hosted by the test.
/// Everything is started on free loopback ports and stopped by process id, also when an assertion fails.
/// </summary>
public sealed partial class NginxFarmTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string CookieName = "__Host-wikimedia-sample";

    private readonly List<SampleProcess> _instances = [];
    private RedisServer? _redis;
    private WikimediaEmulator? _emulator;
    private NginxServer? _nginx;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>
    /// Redis (with <paramref name="redisPersistence"/>, an append-only file: RedisServer.StartAsync), the emulator (a
    /// 1-hour token: due 55 minutes after it was issued), two instances and nginx.
    /// </summary>
    private async Task StartFarmAsync(EmulatedServer server, bool redisPersistence = false)
    {
        _redis = await RedisServer.StartAsync(redisPersistence);
        _emulator = WikimediaEmulator.Start(options =>
        {
            options.Server = server;
            options.AccessTokenLifetime = TimeSpan.FromHours(1);
        });
        _emulator.Options.Users.Add(SysopProfile.Create());
        await StartInstancesAsync(ports: null, clockOffset: null);
        _nginx = await NginxServer.StartAsync(_instances.Select(i => i.Port));
        // The public callback is nginx's: the instances build it from the Host that nginx passes on.
        _emulator.Client().RedirectUris.Add(new Uri(_nginx.BaseAddress, WikimediaAuthenticationDefaults.CallbackPath).ToString());
    }

    /// <summary>
    /// Makes the sessions due: both instances restart with their clocks 56 minutes ahead (faketime), past the due time of
    /// the emulator's 1-hour token (5 minutes before expiry). Sessions and keys are Redis's, so they survive the restart.
    /// </summary>
    private async Task RestartInstancesAheadAsync()
    {
        var ports = _instances.Select(i => i.Port).ToArray();
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        _instances.Clear();
        await StartInstancesAsync(ports, clockOffset: TimeSpan.FromMinutes(56));
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        _emulator?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Behind_nginx_a_sign_in_crosses_instances_a_due_session_refreshes_once_under_100_concurrent_requests_and_a_sysop_fits()
    {
        await StartFarmAsync(EmulatedServer.MediaWiki139);
        var clock = Stopwatch.StartNew();
        var nginx = _nginx!;
        var emulator = _emulator!;
        var profile = new Uri(nginx.BaseAddress, "/Profile");

        // a) The sign-in starts on one instance (the challenge, its correlation cookie and protected state) and the
        // callback, the next request in nginx's round robin, lands on the other, which completes it.
        using var browser = new TestBrowser();
        using var challenge = await browser.GetAsync(new Uri(nginx.BaseAddress, "/signin?returnUrl=%2FProfile"));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var startedOn = Upstream(challenge);
        using var consent = await browser.FollowRedirectsAsync(await browser.GetAsync(challenge.Headers.Location!));
        // The emulator's redirects (approval, then authorize) are followed up to the one that leaves for the app.
        var toCallback = await browser.SendAsync(await TestBrowser.ConsentRequestAsync(consent));
        for (var hop = 0; hop < 5 && toCallback.Headers.Location is { } next && next.Authority != nginx.BaseAddress.Authority; hop++)
        {
            toCallback.Dispose();
            toCallback = await browser.GetAsync(next);
        }

        var callback = toCallback.Headers.Location ?? throw new InvalidOperationException($"No redirect to the app: {toCallback.StatusCode}");
        toCallback.Dispose();
        Assert.Equal(nginx.BaseAddress.Authority, callback.Authority);
        using var callbackResponse = await browser.GetAsync(callback);
        var completedOn = Upstream(callbackResponse);
        Assert.True(callbackResponse.StatusCode == HttpStatusCode.Redirect, $"{callbackResponse.StatusCode} from {completedOn}: {await callbackResponse.Content.ReadAsStringAsync()}");
        Assert.NotEqual(startedOn, completedOn);
        using var signedIn = await browser.FollowRedirectsAsync(callbackResponse);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Contains("Example User", await signedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(emulator.TokenRequests);
        var cookie = Assert.Single(browser.CookiesFor(nginx.BaseAddress).Cast<Cookie>(), c => c.Name.StartsWith(CookieName, StringComparison.Ordinal));
        output.WriteLine($"figures: nginx farm sign-in: started on {startedOn}, callback completed on {completedOn}, farm-mode cookie {cookie.Name.Length + 1 + cookie.Value.Length} bytes");

        // c) An administrator's profile (150 rights, 10 groups) stays in Redis in server-side mode: the cookie is a
        // reference, so the request headers stay far below nginx's default limits (large_client_header_buffers 4 8k).
        var sysop = emulator.Options.Users.Single(u => u.Rights.Count >= 150);
        using var sysopBrowser = new TestBrowser();
        using var sysopLanded = await sysopBrowser.ConsentAsync(await sysopBrowser.FollowAsync(new Uri(nginx.BaseAddress, "/signin?returnUrl=%2FProfile")), sysop.Username);
        Assert.Equal(HttpStatusCode.OK, sysopLanded.StatusCode);
        Assert.Contains("sysop", await sysopLanded.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var sysopCookies = sysopBrowser.CookiesFor(nginx.BaseAddress).Cast<Cookie>().Where(c => c.Name.StartsWith(CookieName, StringComparison.Ordinal)).ToArray();
        var sysopHeader = sysopBrowser.Cookies.GetCookieHeader(new UriBuilder(nginx.BaseAddress) { Scheme = Uri.UriSchemeHttps }.Uri).Length;
        var sysopUpstreams = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 4; i++)
        {
            using var page = await sysopBrowser.GetAsync(profile);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains(sysop.Username, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            sysopUpstreams.Add(Upstream(page));
        }

        Assert.Single(sysopCookies);
        Assert.Equal(_instances.Count, sysopUpstreams.Count);
        output.WriteLine($"figures: nginx farm sysop (150 rights, 10 groups): Cookie header {sysopHeader} bytes in {sysopCookies.Length} cookie, served by {sysopUpstreams.Count} instances under nginx's default header limits");

        // b) The session becomes due (RestartInstancesAheadAsync); then 100 concurrent requests of the one session,
        // spread over both instances by nginx.
        await RestartInstancesAheadAsync();
        var before = emulator.TokenRequests.Count;
        var started = Stopwatch.StartNew();
        var responses = await SignedInBurstAsync(browser, profile, 100);
        var burst = started.Elapsed;

        var refreshes = emulator.TokenRequests.Skip(before).ToArray();
        var single = Assert.Single(refreshes);
        Assert.True(single.IsRefresh);
        var perInstance = responses.GroupBy(r => r.Upstream).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(_instances.Count, perInstance.Count);

        // The refreshed session goes on through either instance without another refresh (a spent refresh token
        // would end it on this strict server).
        for (var i = 0; i < 4; i++)
        {
            using var page = await browser.GetAsync(profile);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Example User", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before + 1, emulator.TokenRequests.Count);
        output.WriteLine($"figures: nginx farm due session: 100 concurrent requests over {perInstance.Count} instances ({string.Join(", ", perInstance.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value))}), {refreshes.Length} refresh against strict rotation, 100 x 200 in {burst.TotalMilliseconds:F0} ms");
        output.WriteLine($"figures: nginx farm test: {clock.Elapsed.TotalSeconds:F1} s after start-up (2 sample processes, restarted once under faketime; nginx; redis-server)");
    }

    [Fact]
    public async Task An_instance_killed_in_the_middle_of_a_refresh_loses_no_session_on_Wikimedia()
    {
        // Wikimedia's grace window (600 s for a spent refresh token) is what saves the session: the server rotated
        // the tokens, but the instance died before it stored them. On a strict server (MediaWiki 1.39) it would be lost.
        await StartFarmAsync(EmulatedServer.Wikimedia);
        var nginx = _nginx!;
        var emulator = _emulator!;
        var profile = new Uri(nginx.BaseAddress, "/Profile");
        using var browser = new TestBrowser();
        using (var signedIn = await browser.SignInAsync(nginx.BaseAddress, returnUrl: "/Profile"))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        }

        await RestartInstancesAheadAsync();
        // The server answers the refresh 2 s after it arrived, and processes it then: the instance that asked is dead by then.
        emulator.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault { Delay = TimeSpan.FromSeconds(2), Times = 1, When = r => r.IsRefresh });
        var before = emulator.TokenRequests.Count;
        var victim = _instances[0];
        var inFlight = browser.GetAsync(new Uri(victim.BaseAddress, "/Profile"));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (emulator.TokenRequests.Count == before)
        {
            Assert.True(DateTime.UtcNow < deadline, "The refresh did not reach the emulator within 20 s.");
            await Task.Delay(10);
        }

        await victim.DisposeAsync();
        var killedAt = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => inFlight);
        _instances.Remove(victim);

        // The survivor waits out the dead instance's lease, takes the refresh over with the refresh token that the
        // server has already rotated, within Wikimedia's grace window, and the session goes on through nginx.
        using var after = await browser.GetAsync(profile);
        var recovered = killedAt.Elapsed;
        // Longer than the server's 2 s: the takeover spent a refresh token that the server had already rotated.
        Assert.True(recovered > TimeSpan.FromSeconds(2), $"recovered after {recovered}");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains("Example User", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal($"127.0.0.1:{_instances[0].Port}", Upstream(after));
        var refreshes = emulator.TokenRequests.Skip(before).ToArray();
        Assert.Equal(2, refreshes.Length);
        Assert.All(refreshes, r => Assert.True(r.IsRefresh));
        Assert.Equal(refreshes[0].Form["refresh_token"], refreshes[1].Form["refresh_token"]);
        for (var i = 0; i < 3; i++)
        {
            using var page = await browser.GetAsync(profile);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Example User", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before + 2, emulator.TokenRequests.Count);
        output.WriteLine($"figures: nginx farm: an instance killed in the middle of a refresh: the survivor refreshed the session {recovered.TotalSeconds:F1} s later (lease 10 s) within Wikimedia's grace window, session kept, {refreshes.Length} token requests");
    }

    private async Task StartInstancesAsync(int[]? ports, TimeSpan? clockOffset)
    {
        var client = _emulator!.Client();
        var environment = new Dictionary<string, string>
        {
            // Production-like: StackExchange.Redis's default time-outs (RedisServer.Configuration's 1 s ones are for outages).
            ["ConnectionStrings__Redis"] = $"127.0.0.1:{_redis!.Port},abortConnect=false",
            ["Authentication__Schemes__Wikimedia__ClientId"] = client.ClientId,
            ["Authentication__Schemes__Wikimedia__ClientSecret"] = client.ClientSecret!,
            ["Authentication__Schemes__Wikimedia__Authority"] = _emulator.Authority,
            ["WikimediaApi__BaseAddress"] = _emulator.ApiBaseAddress.ToString(),
        };

        // Started one after the other: the first creates the shared key ring in Redis, the second reads it.
        for (var i = 0; i < (ports?.Length ?? 2); i++)
        {
            _instances.Add(await SampleProcess.StartAsync(environment, clockOffset, ports?[i]));
        }
    }

    private static string Upstream(HttpResponseMessage response)
        => response.Headers.TryGetValues(NginxServer.UpstreamHeader, out var values) ? string.Join(",", values) : "(none)";

    /// <summary><paramref name="count"/> concurrent requests of one session through nginx, each answered 200 for the signed-in user.</summary>
    private async Task<(HttpStatusCode StatusCode, string Upstream, string Body)[]> SignedInBurstAsync(TestBrowser browser, Uri page, int count)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            using var response = await browser.GetAsync(page);
            return (response.StatusCode, Upstream: Upstream(response), Body: await response.Content.ReadAsStringAsync());
        }));
        Assert.All(responses, r => Assert.True(r.StatusCode == HttpStatusCode.OK, $"{r.StatusCode} from {r.Upstream}:\n{string.Join("\n---\n", _instances.Select(i => i.Output))}"));
        Assert.All(responses, r => Assert.Contains("Example User", r.Body, StringComparison.Ordinal));
        return responses;
    }
}
