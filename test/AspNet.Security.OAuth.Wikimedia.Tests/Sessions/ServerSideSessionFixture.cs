using System.Net;
using AspNet.Security.OAuth.Wikimedia.Sessions;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sessions;

/// <summary>
/// One or more instances of the test app with server-side sessions, sharing one emulator, one fake clock, one
/// distributed cache and one Data Protection key ring, as the instances of a web farm do. Instance 0 is
/// <see cref="App"/>; the browser shares its cookie between them (cookies are per host, not per port).
/// </summary>
public sealed class ServerSideSessionFixture : IAsyncDisposable
{
    private ServerSideSessionFixture(FakeTimeProvider time, WikimediaEmulator emulator, TestCache cache, IReadOnlyList<TestApp> apps)
    {
        Time = time;
        Emulator = emulator;
        Cache = cache;
        Apps = apps;
    }

    public FakeTimeProvider Time { get; }

    public WikimediaEmulator Emulator { get; }

    public TestCache Cache { get; }

    public IReadOnlyList<TestApp> Apps { get; }

    public TestApp App => Apps[0];

    public TestBrowser Browser { get; } = new();

    public IReadOnlyList<EmulatorRequest> Refreshes => Emulator.Requests.Where(r => r.IsRefresh).ToArray();

    public TimeSpan Lifetime => Emulator.Options.AccessTokenLifetime;

    public static async Task<ServerSideSessionFixture> StartAsync(
        int instances = 1,
        EmulatedServer server = EmulatedServer.Wikimedia,
        Action<WikimediaEmulatorOptions>? emulatorOptions = null,
        Action<WikimediaAuthenticationOptions>? configure = null,
        Action<CookieAuthenticationOptions>? cookie = null,
        Action<WikimediaServerSideSessionOptions>? sessions = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var emulator = WikimediaEmulator.Start(o =>
        {
            o.TimeProvider = time;
            o.Server = server;
            emulatorOptions?.Invoke(o);
        });
        var cache = new TestCache(time);
        // One key ring for every instance, as a farm shares its keys (in Redis, say).
        var keys = new EphemeralDataProtectionProvider();
        var apps = new List<TestApp>();
        for (var i = 0; i < instances; i++)
        {
            apps.Add(await TestApp.StartAsync(emulator, o =>
            {
                o.UseEmulator(emulator);
                configure?.Invoke(o);
            }, services: s =>
            {
                s.AddSingleton<TimeProvider>(time);
                s.AddSingleton<IDistributedCache>(cache);
                s.AddSingleton<IDataProtectionProvider>(keys);
                s.AddAuthentication().AddWikimediaServerSideSessions(o => sessions?.Invoke(o));
            }, cookie: cookie, endpoints: app => app.MapPost("/signout", async (HttpContext context) =>
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.Text("Signed out");
            })));
        }

        return new ServerSideSessionFixture(time, emulator, cache, apps);
    }

    /// <summary>Signs in on <paramref name="instance"/> through the emulator's consent page; returns <c>/me</c>.</summary>
    public async Task<MeResponse> SignInAsync(string user = "Example User", int instance = 0)
        => await MeResponse.ReadAsync(await Browser.SignInAsync(Apps[instance].BaseAddress, user));

    public async Task<HttpResponseMessage> GetAsync(string path, int instance = 0) => await Browser.GetAsync(new Uri(Apps[instance].BaseAddress, path));

    public async Task<MeResponse> MeAsync(int instance = 0)
    {
        using var response = await GetAsync("/me", instance);
        return await MeResponse.ReadAsync(response);
    }

    public CookieAuthenticationOptions CookieOptions(int instance = 0)
        => Apps[instance].Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);

    /// <summary>The store of <paramref name="instance"/>.</summary>
    internal DistributedSessionStore Store(int instance = 0) => (DistributedSessionStore)CookieOptions(instance).SessionStore!;

    /// <summary>The session cookie as the browser holds it (name=value), and its size in bytes on the wire.</summary>
    public (string Value, int Bytes, int Chunks) SessionCookie()
    {
        var cookies = Browser.CookiesFor(App.BaseAddress).Where(c => c.Name.StartsWith(".AspNetCore.Cookies", StringComparison.Ordinal)).ToArray();
        var main = cookies.Single(c => c.Name == ".AspNetCore.Cookies");
        return (main.Value, cookies.Sum(c => c.Name.Length + 1 + c.Value.Length), cookies.Length);
    }

    /// <summary>The session reference the cookie holds, read with the cookie scheme's own format.</summary>
    public string SessionKey()
    {
        var ticket = CookieOptions().TicketDataFormat.Unprotect(SessionCookie().Value)!;
        return ticket.Principal.Claims.Single().Value;
    }

    public byte[]? Entry(string key) => Cache.Get(Store().CacheKey(key));

    /// <summary>Sends a request with exactly <paramref name="cookieHeader"/>, outside the browser's cookie jar.</summary>
    public async Task<HttpResponseMessage> GetWithCookieAsync(string path, string cookieHeader, int instance = 0)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Apps[instance].BaseAddress, path));
        request.Headers.Add("Cookie", cookieHeader);
        return await client.SendAsync(request);
    }

    /// <summary>Whether the response sets or deletes the session cookie.</summary>
    public static bool SetsSessionCookie(HttpResponseMessage response)
        => response.Headers.TryGetValues("Set-Cookie", out var values) && values.Any(v => v.StartsWith(".AspNetCore.Cookies", StringComparison.Ordinal));

    /// <summary>Whether the app answered as for an anonymous user: <c>/</c> says so, <c>/me</c> challenges.</summary>
    public async Task<bool> IsAnonymousAsync(string? cookieHeader = null, int instance = 0)
    {
        using var home = cookieHeader is null ? await GetAsync("/", instance) : await GetWithCookieAsync("/", cookieHeader, instance);
        using var me = cookieHeader is null ? await GetAsync("/me", instance) : await GetWithCookieAsync("/me", cookieHeader, instance);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        return await home.Content.ReadAsStringAsync() == "Anonymous" && me.StatusCode == HttpStatusCode.Redirect;
    }

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        foreach (var app in Apps)
        {
            await app.DisposeAsync();
        }

        Emulator.Dispose();
    }
}
