using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>
/// A signed-in session against the emulator, with one fake clock for the app and the emulator, so that a test
/// moves both through a token's lifetime without waiting.
/// </summary>
public sealed class RefreshFixture : IAsyncDisposable
{
    private RefreshFixture(FakeTimeProvider time, WikimediaEmulator emulator, TestApp app, TestBrowser browser)
    {
        Time = time;
        Emulator = emulator;
        App = app;
        Browser = browser;
    }

    public FakeTimeProvider Time { get; }

    public WikimediaEmulator Emulator { get; }

    public TestApp App { get; }

    public TestBrowser Browser { get; }

    public IReadOnlyList<EmulatorRequest> Refreshes => Emulator.Requests.Where(r => r.IsRefresh).ToArray();

    /// <summary>The lifetime of the access tokens the emulator issues: its server's, unless the test set one.</summary>
    public TimeSpan Lifetime => Emulator.Options.AccessTokenLifetime;

    /// <summary>Starts an emulator of <paramref name="server"/> and an app, and signs in through the browser.</summary>
    public static async Task<RefreshFixture> SignedInAsync(
        Action<WikimediaEmulatorOptions>? emulatorOptions = null,
        Action<WikimediaAuthenticationOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<CookieAuthenticationOptions>? cookie = null,
        string clientId = WikimediaEmulatorOptions.DefaultClientId,
        Action<WikimediaEmulator, WikimediaApiOptions>? api = null,
        EmulatedServer server = EmulatedServer.Wikimedia)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var emulator = WikimediaEmulator.Start(o =>
        {
            o.TimeProvider = time;
            o.Server = server;
            emulatorOptions?.Invoke(o);
        });
        var app = await TestApp.StartAsync(emulator, o =>
        {
            o.UseEmulator(emulator, clientId);
            configure?.Invoke(o);
        }, services: s =>
        {
            s.AddSingleton<TimeProvider>(time);
            services?.Invoke(s);
        }, cookie: cookie, api: api is null ? null : o => api(emulator, o));
        var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));
        return new RefreshFixture(time, emulator, app, browser);
    }

    public async Task<HttpResponseMessage> GetAsync(string path) => await Browser.GetAsync(new Uri(App.BaseAddress, path));

    public async Task<MeResponse> MeAsync()
    {
        using var response = await GetAsync("/me");
        return await MeResponse.ReadAsync(response);
    }

    public async Task<(string Status, string? AccessToken, DateTimeOffset? ExpiresAt)> TokenAsync(bool force = false, string? rejected = null)
    {
        using var response = await GetAsync("/token" + (force ? "?force=true" : rejected is not null ? "?rejected=" + Uri.EscapeDataString(rejected) : ""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("status").GetString()!,
                body.GetProperty("accessToken").GetString(),
                body.GetProperty("expiresAt").ValueKind == System.Text.Json.JsonValueKind.Null ? null : body.GetProperty("expiresAt").GetDateTimeOffset());
    }

    /// <summary>The session cookie as the browser holds it now, to send again later as a stale copy.</summary>
    public string CookieHeader() => string.Join("; ", Browser.CookiesFor(App.BaseAddress).Select(c => c.Name + "=" + c.Value));

    /// <summary>Sends a request with exactly <paramref name="cookieHeader"/>, outside the browser's cookie jar.</summary>
    public async Task<HttpResponseMessage> GetWithCookieAsync(string path, string cookieHeader)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(App.BaseAddress, path));
        request.Headers.Add("Cookie", cookieHeader);
        return await client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await App.DisposeAsync();
        Emulator.Dispose();
    }
}
