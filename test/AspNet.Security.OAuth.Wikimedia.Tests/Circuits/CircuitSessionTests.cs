using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using AspNet.Security.OAuth.Wikimedia.Circuits;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Sessions;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Circuits;

/// <summary>
/// The interactive-circuit support, in process: each "circuit" here is the library's own scoped CircuitSession and
/// WikimediaCircuitHandler, resolved from a scope of the app's services as Blazor does per circuit. A connection (or
/// reconnection) is a GET of /circuit/connect?id=..., so that OnConnectionUpAsync sees a real request that went
/// through the cookie middleware, as the circuit's WebSocket request does.
/// </summary>
public sealed class CircuitSessionTests
{
    private static readonly TimeSpan PastExpiry = TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1);

    // ---------------------------------------------------------------------------------------------------------------
    // What went wrong once (each test failed before its fix)
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Blazor replaces a circuit's user with the reconnecting connection's user (ComponentHub.ConnectCircuit calls
    /// CircuitHost.SetCircuitUser(Context.User) right after OnConnectionUpAsync). CircuitSession.Capture ignores a
    /// different session, so after A signs out and B signs in in the same browser, A's reconnected circuit shows B but
    /// calls the API with A's token.
    /// </summary>
    [Fact]
    public async Task Reconnect_after_another_user_signed_in_does_not_keep_calling_the_API_with_the_previous_users_token()
    {
        await using var h = await CircuitHarness.StartAsync();
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress, "Example User"));
        await h.ConnectAsync(browser, "c1");
        var circuit = h.Circuit("c1");
        var tokenOfA = (await circuit.Session.GetAccessTokenAsync(false, null, CancellationToken.None)).AccessToken;
        Assert.NotNull(tokenOfA);

        await h.SignOutAsync(browser);
        var b = await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress, "Alice Admin"));
        Assert.Equal("Alice Admin", b.Name);

        // The circuit's connection drops and comes back with the browser's cookie: now Alice's session.
        Assert.Equal("captured", await h.ConnectAsync(browser, "c1"));
        var token = await circuit.Session.GetAccessTokenAsync(false, null, CancellationToken.None);

        Assert.NotEqual(tokenOfA, token.AccessToken);
    }

    /// <summary>
    /// After sign-out the rotation ledger forgets the session, so that an earlier copy of the cookie meets the server's
    /// refusal (SignOutLedgerTests). A circuit of the signed-out session keeps refreshing and records the new tokens
    /// in the ledger again, handing them to every earlier copy of the cookie.
    /// </summary>
    [Fact]
    public async Task After_sign_out_a_circuits_refresh_does_not_hand_its_new_tokens_to_an_earlier_cookie_copy()
    {
        await using var h = await CircuitHarness.StartAsync();
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress));
        var copy = CircuitHarness.CookieHeader(browser, h.App.BaseAddress);
        await h.ConnectAsync(browser, "c1");
        await h.SignOutAsync(browser);

        // A tab with the circuit is still open; past expiry, a component calls the API.
        h.Time.Advance(PastExpiry);
        var fromCircuit = await h.Circuit("c1").Session.GetAccessTokenAsync(false, null, CancellationToken.None);

        // Past the grace window, the earlier copy of the signed-out cookie is presented.
        h.Time.Advance(TimeSpan.FromMinutes(11));
        using var replayed = await CircuitHarness.GetWithCookieAsync(h.App.BaseAddress, "/me", copy);
        var tokens = replayed.StatusCode == HttpStatusCode.OK ? (await MeResponse.ReadAsync(replayed)).Tokens : [];

        Assert.True(fromCircuit.AccessToken is null || fromCircuit.AccessToken != tokens.GetValueOrDefault("access_token"),
            "The signed-out cookie copy was given the tokens that the circuit refreshed after sign-out.");
    }

    /// <summary>
    /// With server-side sessions, sign-out removes the stored session, and the circuit reads the store on every call
    /// (RetrieveAsync answers null); it goes on as the user all the same, refreshing the dead session's tokens.
    /// </summary>
    [Fact]
    public async Task A_circuit_of_a_signed_out_server_side_session_gets_no_token_and_refreshes_nothing()
    {
        await using var h = await CircuitHarness.StartAsync(serverSide: true);
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress));
        await h.ConnectAsync(browser, "c1");
        await h.SignOutAsync(browser);
        Assert.Equal("Anonymous", await (await browser.GetAsync(new Uri(h.App.BaseAddress, "/"))).Content.ReadAsStringAsync());

        h.Time.Advance(PastExpiry);
        var token = await h.Circuit("c1").Session.GetAccessTokenAsync(false, null, CancellationToken.None);

        Assert.Empty(h.Refreshes);
        Assert.NotEqual(WikimediaTokenStatus.Success, token.Status);
    }

    /// <summary>
    /// The circuit writes its whole ticket copy (taken when it connected) to the server-side store after a refresh:
    /// with it the expiry of that moment. HTTP requests of the session slid the expiry forward meanwhile; the circuit
    /// writes the old one back, and when that has passed the store deletes the session, signing the user out everywhere.
    /// </summary>
    [Fact]
    public async Task A_circuits_refresh_does_not_take_back_the_server_side_sessions_sliding_expiry()
    {
        await using var h = await CircuitHarness.StartAsync(serverSide: true, cookie: o =>
        {
            o.ExpireTimeSpan = TimeSpan.FromHours(1);
            o.SlidingExpiration = true;
        });
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress));
        await h.ConnectAsync(browser, "c1");

        // The user keeps the Blazor tab open and works in other tabs: every 40 minutes the session slides (the last
        // slide at 3h20, before the token is due, so that the HTTP requests refresh nothing).
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(40));
            Assert.Equal("Example User", (await MeResponse.ReadAsync(await browser.GetAsync(new Uri(h.App.BaseAddress, "/me")))).Name);
        }

        // Four hours in, a component of the open tab calls the API: its token is due and is refreshed.
        h.Time.Advance(TimeSpan.FromMinutes(41));
        var token = await h.Circuit("c1").Session.GetAccessTokenAsync(false, null, CancellationToken.None);
        Assert.Equal(WikimediaTokenStatus.Success, token.Status);
        Assert.Single(h.Refreshes);

        // The session was used 41 minutes ago, and expires an hour after that: it must still be there.
        using var me = await browser.GetAsync(new Uri(h.App.BaseAddress, "/me"));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("/me", me.RequestMessage!.RequestUri!.AbsolutePath);
    }

    /// <summary>
    /// CircuitSession.Current is a plain AsyncLocal of the CircuitSession, never cleared: any work that captures the
    /// execution context in a circuit activity (a singleton's lazily started background loop, a Timer) carries that
    /// circuit's session for ever, and sends that user's token for work done for other circuits (or after the
    /// circuit closed). IHttpContextAccessor avoids the same trap by clearing a shared holder when the request ends.
    /// </summary>
    [Fact]
    public async Task Work_started_in_one_circuits_activity_does_not_send_that_users_token_for_another_circuit()
    {
        await using var h = await CircuitHarness.StartAsync();
        using var browserA = new TestBrowser();
        using var browserB = new TestBrowser();
        await MeResponse.ReadAsync(await browserA.SignInAsync(h.App.BaseAddress, "Example User"));
        await MeResponse.ReadAsync(await browserB.SignInAsync(h.App.BaseAddress, "Alice Admin"));
        await h.ConnectAsync(browserA, "a");
        await h.ConnectAsync(browserB, "b");
        var tokenOfA = (await h.Circuit("a").Session.GetAccessTokenAsync(false, null, CancellationToken.None)).AccessToken!;
        var tokenOfB = (await h.Circuit("b").Session.GetAccessTokenAsync(false, null, CancellationToken.None)).AccessToken!;

        // An app singleton that sends queued API calls from a loop it starts on first use.
        var factory = h.App.Services.GetRequiredService<IHttpClientFactory>();
        var queue = Channel.CreateUnbounded<(string Title, TaskCompletionSource<HttpStatusCode> Done)>();
        Task? loop = null;
        void EnsureStarted() => loop ??= Task.Run(async () =>
        {
            await foreach (var (title, done) in queue.Reader.ReadAllAsync())
            {
                using var client = factory.CreateClient("enwiki");
                using var response = await client.GetAsync(new Uri($"page/{title}/bare", UriKind.Relative));
                done.SetResult(response.StatusCode);
            }
        });

        // Circuit A's first use starts the loop; circuit B queues a call later.
        await h.Circuit("a").RunActivityAsync(() =>
        {
            EnsureStarted();
            return Task.CompletedTask;
        });
        var sent = new TaskCompletionSource<HttpStatusCode>(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.Circuit("b").RunActivityAsync(async () =>
        {
            await queue.Writer.WriteAsync(("Earth", sent));
            await sent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        });
        queue.Writer.Complete();

        var call = h.Emulator.Requests.LastOrDefault(r => r.Path.Contains("/page/", StringComparison.Ordinal));
        Assert.NotEqual("Bearer " + tokenOfA, call?.Header("Authorization"));
        Assert.NotEqual(tokenOfA, tokenOfB);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // What held from the start
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task reconnect_with_an_older_cookie_of_the_same_session_does_not_take_the_circuit_back_a_generation()
    {
        await using var h = await CircuitHarness.StartAsync();
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress));
        var old = CircuitHarness.CookieHeader(browser, h.App.BaseAddress);
        await h.ConnectAsync(browser, "c1");
        h.Time.Advance(PastExpiry);
        var refreshed = await h.Circuit("c1").Session.GetAccessTokenAsync(false, null, CancellationToken.None);
        Assert.Single(h.Refreshes);

        // Reconnect with the pre-refresh cookie (the ledger makes the request adopt the newest tokens anyway).
        using (var reconnect = await CircuitHarness.GetWithCookieAsync(h.App.BaseAddress, "/circuit/connect?id=c1", old))
        {
            Assert.Equal(HttpStatusCode.OK, reconnect.StatusCode);
        }

        var after = await h.Circuit("c1").Session.GetAccessTokenAsync(false, null, CancellationToken.None);
        Assert.Equal(refreshed.AccessToken, after.AccessToken);
        Assert.Single(h.Refreshes);
    }

    [Fact]
    public async Task two_circuits_and_an_http_request_past_expiry_share_exactly_one_refresh_and_no_token_is_logged()
    {
        await using var h = await CircuitHarness.StartAsync(serverSide: true);
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress));
        await h.ConnectAsync(browser, "a");
        await h.ConnectAsync(browser, "b");
        h.Time.Advance(PastExpiry);

        var results = await Task.WhenAll(
            Task.Run(() => h.Circuit("a").Session.GetAccessTokenAsync(false, null, CancellationToken.None)),
            Task.Run(() => h.Circuit("b").Session.GetAccessTokenAsync(false, null, CancellationToken.None)),
            Task.Run(async () => (await MeResponse.ReadAsync(await browser.GetAsync(new Uri(h.App.BaseAddress, "/me")))).Tokens["access_token"]).ContinueWith(t => new WikimediaTokenResult { Status = WikimediaTokenStatus.Success, AccessToken = t.Result }));

        Assert.Single(h.Refreshes);
        Assert.Single(results.Select(r => r.AccessToken).Distinct());
        var me = await MeResponse.ReadAsync(await browser.GetAsync(new Uri(h.App.BaseAddress, "/me")));
        Assert.Equal(results[0].AccessToken, me.Tokens["access_token"]);

        var secrets = h.Emulator.TokenRequests.SelectMany(r => r.Form.Where(f => f.Key is "refresh_token" or "code").Select(f => f.Value))
            .Concat(results.Select(r => r.AccessToken!)).Concat([me.Tokens["access_token"], me.Tokens["refresh_token"]]).ToArray();
        foreach (var record in h.App.Logs.GetSnapshot())
        {
            var text = record.Message + " " + record.Exception;
            var leaked = secrets.FirstOrDefault(s => text.Contains(s, StringComparison.Ordinal));
            Assert.True(leaked is null, $"Logged a token ({record.Category}, {record.Id}): {text}");
        }
    }

    [Fact]
    public async Task a_circuit_call_cancelled_mid_refresh_leaves_the_rotated_tokens_to_the_session()
    {
        var gate = new GateHandler();
        await using var h = await CircuitHarness.StartAsync(serverSide: true, configure: o => o.BackchannelHttpHandler = gate);
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress));
        await h.ConnectAsync(browser, "c1");
        h.Time.Advance(PastExpiry);

        gate.Arm();
        using var cts = new CancellationTokenSource();
        var call = h.Circuit("c1").Session.GetAccessTokenAsync(false, null, cts.Token);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        gate.Release.SetResult();
        await gate.Answered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Poll (with a deadline) until the refresh recorded its result.
        var ledger = h.App.Services.GetRequiredService<RotationLedger>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (ledger.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Yield();
        }

        var next = await h.Circuit("c1").Session.GetAccessTokenAsync(false, null, CancellationToken.None);
        var me = await MeResponse.ReadAsync(await browser.GetAsync(new Uri(h.App.BaseAddress, "/me")));
        Assert.Single(h.Refreshes);
        Assert.Equal(next.AccessToken, me.Tokens["access_token"]);
    }

    [Fact]
    public async Task a_failing_store_does_not_throw_into_the_circuit()
    {
        await using var h = await CircuitHarness.StartAsync(serverSide: true);
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress));
        await h.ConnectAsync(browser, "c1");
        h.Time.Advance(PastExpiry);
        h.Cache!.Down = true;

        var token = await h.Circuit("c1").Session.GetAccessTokenAsync(false, null, CancellationToken.None);

        Assert.Equal(WikimediaTokenStatus.Success, token.Status);
    }

    [Fact]
    public async Task a_refused_refresh_in_one_circuit_ends_the_other_circuit_and_the_http_session_without_a_second_refresh()
    {
        await using var h = await CircuitHarness.StartAsync();
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress));
        await h.ConnectAsync(browser, "a");
        await h.ConnectAsync(browser, "b");
        Assert.True(h.Emulator.RevokeGrants("Example User") > 0);
        h.Time.Advance(PastExpiry);

        Assert.Equal(WikimediaTokenStatus.SessionEnded, (await h.Circuit("a").Session.GetAccessTokenAsync(false, null, CancellationToken.None)).Status);
        Assert.Equal(WikimediaTokenStatus.SessionEnded, (await h.Circuit("b").Session.GetAccessTokenAsync(false, null, CancellationToken.None)).Status);
        Assert.False((await h.Circuit("a").AuthenticationState.GetAuthenticationStateAsync()).User.Identity?.IsAuthenticated);
        Assert.Equal("Anonymous", await (await browser.GetAsync(new Uri(h.App.BaseAddress, "/"))).Content.ReadAsStringAsync());
        Assert.Single(h.Refreshes);
    }

    [Fact]
    public async Task the_circuit_session_does_not_flow_out_of_its_activity_into_later_http_requests()
    {
        await using var h = await CircuitHarness.StartAsync();
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(h.App.BaseAddress));
        await h.ConnectAsync(browser, "a");
        CircuitSession? inside = null;
        await h.Circuit("a").RunActivityAsync(() =>
        {
            inside = CircuitSession.Current;
            return Task.CompletedTask;
        });

        Assert.Same(h.Circuit("a").Session, inside);
        Assert.Null(CircuitSession.Current);

        // An anonymous HTTP request of another browser calling the API gets no token.
        using var anonymous = new TestBrowser();
        using var response = await anonymous.GetAsync(new Uri(h.App.BaseAddress, "/api/perwiki?title=Earth"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

/// <summary>An authentication state provider as Blazor's server one: the host sets the circuit's user.</summary>
internal sealed class TestAuthenticationState : AuthenticationStateProvider, IHostEnvironmentAuthenticationStateProvider
{
    private Task<AuthenticationState> _state = Task.FromResult(new AuthenticationState(new System.Security.Claims.ClaimsPrincipal()));

    public override Task<AuthenticationState> GetAuthenticationStateAsync() => _state;

    public void SetAuthenticationState(Task<AuthenticationState> authenticationStateTask)
    {
        _state = authenticationStateTask;
        NotifyAuthenticationStateChanged(authenticationStateTask);
    }
}

/// <summary>One circuit: a DI scope of the app with the library's scoped circuit services.</summary>
internal sealed class FakeCircuit(IServiceScope scope) : IDisposable
{
    public CircuitSession Session { get; } = scope.ServiceProvider.GetRequiredService<CircuitSession>();

    public WikimediaCircuitHandler Handler { get; } = scope.ServiceProvider.GetServices<CircuitHandler>().OfType<WikimediaCircuitHandler>().Single();

    public TestAuthenticationState AuthenticationState { get; } = (TestAuthenticationState)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();

    /// <summary>Runs <paramref name="work"/> as an inbound activity of the circuit (an event handler, say).</summary>
    public Task RunActivityAsync(Func<Task> work) => Handler.CreateInboundActivityHandler(_ => work())(null!);

    public void Dispose() => scope.Dispose();
}

internal sealed class CircuitHarness : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FakeCircuit> _circuits;

    private CircuitHarness(FakeTimeProvider time, WikimediaEmulator emulator, TestApp app, TestCache? cache, ConcurrentDictionary<string, FakeCircuit> circuits)
    {
        Time = time;
        Emulator = emulator;
        App = app;
        Cache = cache;
        _circuits = circuits;
    }

    public FakeTimeProvider Time { get; }

    public WikimediaEmulator Emulator { get; }

    public TestApp App { get; }

    public TestCache? Cache { get; }

    public IReadOnlyList<EmulatorRequest> Refreshes => Emulator.Requests.Where(r => r.IsRefresh).ToArray();

    public FakeCircuit Circuit(string id) => _circuits[id];

    public static async Task<CircuitHarness> StartAsync(
        bool serverSide = false, Action<CookieAuthenticationOptions>? cookie = null, Action<WikimediaAuthenticationOptions>? configure = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var emulator = WikimediaEmulator.Start(o => o.TimeProvider = time);
        var cache = serverSide ? new TestCache(time) : null;
        var circuits = new ConcurrentDictionary<string, FakeCircuit>();
        var app = await TestApp.StartAsync(emulator, configure: configure, services: s =>
        {
            s.AddSingleton<TimeProvider>(time);
            s.AddScoped<AuthenticationStateProvider, TestAuthenticationState>();
            if (cache is not null)
            {
                s.AddSingleton<IDistributedCache>(cache);
                s.AddAuthentication().AddWikimediaServerSideSessions();
            }
        }, cookie: cookie, endpoints: web =>
        {
            web.MapPost("/signout", async (HttpContext context) =>
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.Text("Signed out");
            });
            // The circuit's (re)connection: OnConnectionUpAsync runs while this request is the accessor's HttpContext.
            web.MapGet("/circuit/connect", async (string id) =>
            {
                var circuit = circuits.GetOrAdd(id, _ => new FakeCircuit(web.Services.CreateScope()));
                await circuit.Handler.OnConnectionUpAsync(null!, CancellationToken.None);
                return Results.Text(circuit.Session.HasSession ? "captured" : "none");
            });
        });
        return new CircuitHarness(time, emulator, app, cache, circuits);
    }

    public async Task<string> ConnectAsync(TestBrowser browser, string id)
    {
        using var response = await browser.GetAsync(new Uri(App.BaseAddress, "/circuit/connect?id=" + id));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    public async Task SignOutAsync(TestBrowser browser)
    {
        using var response = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(App.BaseAddress, "/signout")));
        Assert.Equal("Signed out", await response.Content.ReadAsStringAsync());
    }

    public static string CookieHeader(TestBrowser browser, Uri app) => string.Join("; ", browser.CookiesFor(app).Select(c => c.Name + "=" + c.Value));

    public static async Task<HttpResponseMessage> GetWithCookieAsync(Uri app, string path, string cookieHeader)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app, path));
        request.Headers.Add("Cookie", cookieHeader);
        return await client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var circuit in _circuits.Values)
        {
            circuit.Dispose();
        }

        await App.DisposeAsync();
        Emulator.Dispose();
    }
}
