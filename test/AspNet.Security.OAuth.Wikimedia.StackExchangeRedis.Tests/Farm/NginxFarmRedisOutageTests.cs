using System.Diagnostics;
using System.Globalization;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using WikimediaSample;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests.Farm;

/// <summary>
/// Redis stopped and started again under the farm of real processes: server-side sessions and the Redis refresh
/// coordinator (the sample's farm mode), nginx in front, redis-server killed and started again on its port from its
/// append-only file.
/// </summary>
public sealed partial class NginxFarmTests
{
    /// <summary>The line ASP.NET Core's exception handler logs for an exception that reached it (an error page).</summary>
    private const string UnhandledException = "An unhandled exception has occurred";

    [Fact]
    public async Task Behind_nginx_Redis_killed_and_started_again_with_persistence_costs_no_500_and_no_sign_in_and_a_due_session_refreshes_once()
    {
        // Strict rotation (MediaWiki 1.39): a second refresh of one session would be refused and end it.
        await StartFarmAsync(EmulatedServer.MediaWiki139, redisPersistence: true);
        var nginx = _nginx!;
        var emulator = _emulator!;
        var redis = _redis!;
        var profile = new Uri(nginx.BaseAddress, "/Profile");
        var sysop = emulator.Options.Users.Single(u => u.Rights.Count >= 150);

        // Two sessions: the user's, and a second one (the administrator's) that the test uses to see each instance
        // come back after the outage, so that the user's first requests afterwards can be one concurrent burst.
        using var browser = new TestBrowser();
        using (var signedIn = await browser.SignInAsync(nginx.BaseAddress, returnUrl: "/Profile"))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            Assert.Contains("Example User", await signedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var probe = new TestBrowser();
        using (var signedIn = await probe.SignInAsync(nginx.BaseAddress, sysop.Username, returnUrl: "/Profile"))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        }

        var sessionCookie = SessionCookie(browser);

        // Both sessions become due (the instances restart 56 minutes ahead; sessions and keys are in Redis), but no
        // request of theirs arrives before Redis goes away: the refresh falls after its restart.
        await RestartInstancesAheadAsync();
        var tokenRequestsBefore = emulator.TokenRequests.Count;

        // 1) The outage: redis-server killed (SIGKILL), as a crash would.
        await redis.StopAsync();
        var down = Stopwatch.StartNew();
        var outage = new List<(string Path, HttpStatusCode Status, string Upstream, TimeSpan Took)>();
        foreach (var path in new[] { "/", "/", "/Profile", "/Profile" })
        {
            var started = Stopwatch.StartNew();
            using var response = await browser.GetAsync(new Uri(nginx.BaseAddress, path));
            var body = await response.Content.ReadAsStringAsync();
            outage.Add((path, response.StatusCode, Upstream(response), started.Elapsed));
            NoErrorPage(response, body);
            if (path == "/")
            {
                // The home page, signed out: its "Sign in with Wikimedia" button.
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Contains("id=\"signin\"", body, StringComparison.Ordinal);
                Assert.DoesNotContain("Signed in as", body, StringComparison.Ordinal);
            }
            else
            {
                // A page that needs a session asks for a sign-in, as for any anonymous visitor.
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.Equal("/signin", response.Headers.Location!.AbsolutePath);
                Assert.Contains("ReturnUrl=%2FProfile", response.Headers.Location.Query, StringComparison.Ordinal);
            }
        }

        // Each page was answered by both instances (nginx's round robin), and the session cookie was left alone.
        Assert.All(outage.GroupBy(o => o.Path), g => Assert.Equal(2, g.Select(o => o.Upstream).Distinct().Count()));
        Assert.Equal(sessionCookie, SessionCookie(browser));

        // A sign-in during the outage: Wikimedia approves it, but the session cannot be stored; the user gets the
        // sample's "Sign-in failed" page (OnRemoteFailure), not an error page.
        using var latecomer = new TestBrowser();
        var signInStarted = Stopwatch.StartNew();
        using (var failed = await latecomer.SignInAsync(nginx.BaseAddress, returnUrl: "/Profile"))
        {
            var body = await failed.Content.ReadAsStringAsync();
            NoErrorPage(failed, body);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
            Assert.Equal("/signin-failed?reason=store", failed.RequestMessage!.RequestUri!.PathAndQuery);
            Assert.Contains("could not save your session", body, StringComparison.Ordinal);
        }

        var signInDuringOutage = signInStarted.Elapsed;
        var duringOutage = emulator.TokenRequests.Skip(tokenRequestsBefore).ToArray();
        // The latecomer's code exchange; no refresh: the due sessions could not even be read.
        Assert.Single(duringOutage);
        Assert.False(duringOutage[0].IsRefresh);
        foreach (var instance in _instances)
        {
            Assert.DoesNotContain(UnhandledException, instance.Output, StringComparison.Ordinal);
        }

        Assert.Contains(_instances, i => i.Output.Contains("DistributedSessionStore[50]", StringComparison.Ordinal));
        Assert.Contains(_instances, i => i.Output.Contains("DistributedSessionStore[51]", StringComparison.Ordinal));

        // 2) redis-server started again on the same port, from its append-only file: the key ring and both sessions
        // are back.
        await redis.StartAgainAsync();
        var downFor = down.Elapsed;
        var up = Stopwatch.StartNew();
        // The test's own look has time to wait (the apps' 1 s time-outs are for failing fast): just after the restart,
        // a SCAN under the instances' reconnecting load once took longer than 1 s.
        await using (var look = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration + ",syncTimeout=10000,asyncTimeout=10000"))
        {
            var keys = look.GetServer("127.0.0.1", redis.Port);
            Assert.True(await look.GetDatabase().KeyExistsAsync(FarmSetup.KeyRingKey));
            Assert.Equal(2, keys.Keys(pattern: FarmSetup.CacheInstanceName + "wikimedia:session:*").Count());
        }

        // Each instance serves the administrator's session again once its connection is back (polled with a
        // deadline, both instances at once, straight to each instance).
        var recovered = await Task.WhenAll(_instances.Select(async instance =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                using var page = await probe.GetAsync(new Uri(instance.BaseAddress, "/Profile"));
                var body = await page.Content.ReadAsStringAsync();
                NoErrorPage(page, body);
                if (page.StatusCode == HttpStatusCode.OK && body.Contains(sysop.Username, StringComparison.Ordinal))
                {
                    return up.Elapsed;
                }

                Assert.True(DateTime.UtcNow < deadline, $"The instance on port {instance.Port} did not serve the session within 60 s of Redis's restart:\n{instance.Output}");
                await Task.Delay(50);
            }
        }));
        var probeRefreshes = emulator.TokenRequests.Skip(tokenRequestsBefore + duringOutage.Length).ToArray();
        Assert.Single(probeRefreshes);
        Assert.True(probeRefreshes[0].IsRefresh);

        // 3) The user's session, due since before the outage, as 100 concurrent requests over both instances: all 200,
        // signed in without a new sign-in, and one refresh against the strict server.
        var beforeBurst = emulator.TokenRequests.Count;
        var burstStarted = Stopwatch.StartNew();
        var responses = await SignedInBurstAsync(browser, profile, 100);
        var burst = burstStarted.Elapsed;
        Assert.Equal(_instances.Count, responses.Select(r => r.Upstream).Distinct().Count());
        var refresh = Assert.Single(emulator.TokenRequests.Skip(beforeBurst));
        Assert.True(refresh.IsRefresh);
        Assert.NotEqual(probeRefreshes[0].Form["refresh_token"], refresh.Form["refresh_token"]);

        // The refreshed session goes on through either instance without another refresh (a spent refresh token would
        // end it on this server), and the cookie is the one from before the outage.
        for (var i = 0; i < 4; i++)
        {
            using var page = await browser.GetAsync(profile);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Example User", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(beforeBurst + 1, emulator.TokenRequests.Count);
        Assert.Equal(sessionCookie, SessionCookie(browser));

        // Sign-ins work again.
        using (var signedIn = await latecomer.SignInAsync(nginx.BaseAddress, returnUrl: "/Profile"))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            Assert.Contains("Example User", await signedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var instance in _instances)
        {
            Assert.DoesNotContain(UnhandledException, instance.Output, StringComparison.Ordinal);
        }

        var answers = string.Join(", ", outage.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Path} {(int)o.Status} in {o.Took.TotalMilliseconds:F0} ms")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"figures: nginx farm Redis outage (server-side sessions, Redis coordinator; redis-server killed, down {downFor.TotalSeconds:F1} s): a signed-in session's requests got {answers} (anonymous home page; sign-in prompt), no 5xx; a sign-in ended on /signin-failed in {signInDuringOutage.TotalMilliseconds:F0} ms; no refresh"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"figures: nginx farm Redis restarted on its port from its append-only file: key ring and 2 sessions back; the instances served a session again {string.Join(" s and ", recovered.Select(r => r.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)))} s after the restart, without a sign-in; the due sessions refreshed once each against strict rotation (the user's: 100 concurrent requests over 2 instances, 1 refresh, 100 x 200 in {burst.TotalMilliseconds:F0} ms)"));
    }

    /// <summary>The session cookie's value in <paramref name="browser"/>'s jar, or null.</summary>
    private string? SessionCookie(TestBrowser browser)
        => browser.CookiesFor(_nginx!.BaseAddress).Cast<Cookie>().SingleOrDefault(c => c.Name.StartsWith(CookieName, StringComparison.Ordinal))?.Value;

    /// <summary>No error status, and nothing of an exception in the page.</summary>
    private static void NoErrorPage(HttpResponseMessage response, string body)
    {
        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} from {Upstream(response)}: {body}");
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Something went wrong", body, StringComparison.Ordinal);
    }
}
