using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Reliability;

/// <summary>
/// Many sessions at once against a failing Wikimedia, on loopback, bounded in count; the clock is fake, so the
/// tests never wait for tokens to age. Figures go to the test output (docs/reliability.md quotes them).
/// </summary>
public sealed class FaultsUnderLoadTests(ITestOutputHelper output) : IAsyncDisposable
{
    private const int Users = 200;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<TestBrowser> _browsers = [];
    private WikimediaEmulator? _emulator;
    private TestApp? _app;

    public async ValueTask DisposeAsync()
    {
        foreach (var browser in _browsers)
        {
            browser.Dispose();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _emulator?.Dispose();
    }

    private async Task StartAsync(int users)
    {
        _emulator = WikimediaEmulator.Start(o =>
        {
            o.TimeProvider = _time;
            o.RefreshGraceWindow = TimeSpan.Zero;
            for (var i = 1; i <= users; i++)
            {
                o.Users.Add(new EmulatorUser { Id = (100_000 + i).ToString(CultureInfo.InvariantCulture), Username = $"Load user {i:000}" });
            }
        });
        _app = await TestApp.StartAsync(_emulator, services: s => s.AddSingleton<TimeProvider>(_time));
    }

    private static string UserName(int i) => $"Load user {i + 1:000}";

    /// <summary>Runs <paramref name="work"/> for every index, at most <paramref name="parallel"/> at a time.</summary>
    private static Task ForEachAsync(int count, int parallel, Func<int, Task> work)
        => Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) => await work(i));

    [Fact]
    public async Task Two_hundred_sessions_survive_a_token_endpoint_failing_half_its_calls_and_all_refresh_after()
    {
        await StartAsync(Users);
        var signInTokens = new string[Users];
        for (var i = 0; i < Users; i++)
        {
            _browsers.Add(new TestBrowser());
        }

        await ForEachAsync(Users, 20, async i =>
        {
            var me = await MeResponse.ReadAsync(await _browsers[i].SignInAsync(_app!.BaseAddress, UserName(i)));
            signInTokens[i] = me.Tokens["access_token"];
        });

        // The window: tokens are due (2 minutes before expiry) and every second token request fails with a 503 page.
        var calls = 0;
        _emulator!.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault
        {
            StatusCode = HttpStatusCode.ServiceUnavailable,
            ContentType = "text/html",
            Body = "<html><body>Our servers are currently under maintenance.</body></html>",
            When = request => request.IsRefresh && Interlocked.Increment(ref calls) % 2 == 0,
        });
        _time.Advance(TimeSpan.FromHours(4) - TimeSpan.FromMinutes(2));
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var refreshesBefore = _emulator.TokenRequests.Count(r => r.IsRefresh);
        for (var round = 0; round < 3; round++)
        {
            await ForEachAsync(Users, 50, async i =>
            {
                using var response = await _browsers[i].GetAsync(new Uri(_app!.BaseAddress, "/me"));
                statuses.Add(response.StatusCode);
                var me = await MeResponse.ReadAsync(response);
                Assert.Equal(UserName(i), me.Value(ClaimTypes.Name));
            });
        }

        var windowRefreshCalls = _emulator.TokenRequests.Count(r => r.IsRefresh) - refreshesBefore;
        var failedInWindow = Volatile.Read(ref calls) / 2;
        var keptOldToken = 0;
        for (var i = 0; i < Users; i++)
        {
            var me = await MeResponse.ReadAsync(await _browsers[i].GetAsync(new Uri(_app!.BaseAddress, "/me")));
            keptOldToken += me.Tokens["access_token"] == signInTokens[i] ? 1 : 0;
        }

        // After the window: past the 30-second back-off, every session refreshes.
        _emulator.Faults.Clear();
        _time.Advance(TimeSpan.FromSeconds(31));
        await ForEachAsync(Users, 50, async i =>
        {
            using var response = await _browsers[i].GetAsync(new Uri(_app!.BaseAddress, "/token"));
            statuses.Add(response.StatusCode);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"status\":\"Success\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        });

        var refreshed = 0;
        await ForEachAsync(Users, 50, async i =>
        {
            var me = await MeResponse.ReadAsync(await _browsers[i].GetAsync(new Uri(_app!.BaseAddress, "/me")));
            if (me.Tokens["access_token"] != signInTokens[i])
            {
                Interlocked.Increment(ref refreshed);
            }
        });
        var totalRefreshCalls = _emulator.TokenRequests.Count(r => r.IsRefresh);

        output.WriteLine($"figures: sessions: {Users}; requests: {statuses.Count + 2 * Users}; non-200 answers: {statuses.Count(s => s != HttpStatusCode.OK)}");
        output.WriteLine($"figures: window: refresh calls {windowRefreshCalls}, failed {failedInWindow}, sessions still on their sign-in token {keptOldToken}");
        output.WriteLine($"figures: after: refresh calls in all {totalRefreshCalls}, sessions refreshed {refreshed}/{Users}");

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(Users, windowRefreshCalls);          // one call per session in the window: back-off held the rest
        Assert.Equal(windowRefreshCalls / 2, failedInWindow);
        Assert.Equal(failedInWindow, keptOldToken);       // the failed ones kept their still-valid token: no session lost
        Assert.Equal(Users, refreshed);
        Assert.Equal(Users + failedInWindow, totalRefreshCalls);
    }

    [Fact]
    public async Task A_hundred_concurrent_sign_ins_of_distinct_users_each_hold_their_own_claims()
    {
        const int SignIns = 100;
        await StartAsync(SignIns);
        for (var i = 0; i < SignIns; i++)
        {
            _browsers.Add(new TestBrowser());
        }

        var results = await Task.WhenAll(Enumerable.Range(0, SignIns).Select(async i =>
            await MeResponse.ReadAsync(await _browsers[i].SignInAsync(_app!.BaseAddress, UserName(i)))));

        output.WriteLine($"figures: concurrent sign-ins: {SignIns}; token requests: {_emulator!.TokenRequests.Count}; profile requests: {_emulator.Requests.Count(r => r.IsProfile)}");
        for (var i = 0; i < SignIns; i++)
        {
            Assert.Equal(UserName(i), results[i].Value(ClaimTypes.Name));
            Assert.Equal((100_001 + i).ToString(CultureInfo.InvariantCulture), results[i].Value(ClaimTypes.NameIdentifier));
        }

        Assert.Equal(SignIns, results.Select(r => r.Tokens["access_token"]).Distinct().Count());
        Assert.Equal(SignIns, _emulator.TokenRequests.Count);
    }
}
