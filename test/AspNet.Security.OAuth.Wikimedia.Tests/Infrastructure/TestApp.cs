using System.Collections.Concurrent;
using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

/// <summary>
/// A minimal app that signs in with Wikimedia, on a real loopback socket (http://127.0.0.1:port, which the emulator's
/// default clients accept as a callback on any port). Routes: /signin, /me (claims and saved tokens as JSON),
/// /denied (AccessDeniedPath), /failed (where OnRemoteFailure sends the user), and /api/... calls of WikimediaApiClient.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly ConcurrentQueue<Exception> _failures;

    private TestApp(WebApplication app, Uri baseAddress, ConcurrentQueue<Exception> failures)
    {
        _app = app;
        BaseAddress = baseAddress;
        _failures = failures;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public FakeLogCollector Logs => _app.Services.GetRequiredService<FakeLogCollector>();

    public static async Task<TestApp> StartAsync(
        WikimediaEmulator? emulator,
        Action<WikimediaAuthenticationOptions>? configure = null,
        IDictionary<string, string?>? configuration = null,
        Action<IServiceCollection>? services = null,
        Action<CookieAuthenticationOptions>? cookie = null,
        string url = "http://127.0.0.1:0",
        Action<WebApplication>? endpoints = null,
        Action<WikimediaApiOptions>? api = null)
    {
        var failures = new ConcurrentQueue<Exception>();
        var builder = WebApplication.CreateSlimBuilder();
        // Only what the test says: the sample's appsettings.json is copied next to the tests and must not leak in.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.WebHost.UseKestrel().UseUrls(url);
        // Everything at Trace, except ASP.NET Core's request log, which writes each URL with its query (so the
        // callback's code) at Information. The project templates keep it at Warning; so do we (docs/security.md).
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Trace)
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/signin";
                cookie?.Invoke(o);
            })
            .AddWikimedia(o =>
            {
                if (emulator is not null)
                {
                    o.UseEmulator(emulator);
                }

                o.AccessDeniedPath = "/denied";
                o.Events.OnRemoteFailure = context =>
                {
                    failures.Enqueue(context.Failure!);
                    context.Response.Redirect("/failed");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
                configure?.Invoke(o);
            });
        builder.Services.AddAuthorization();
        builder.Services.AddWikimediaApiClient(o =>
        {
            o.BaseAddress = emulator?.ApiBaseAddress ?? o.BaseAddress;
            api?.Invoke(o);
        });
        // A plain named client of the per-wiki REST API, sending as the user through the same handler.
        builder.Services.AddHttpClient("enwiki", c => c.BaseAddress = new Uri(emulator?.BaseAddress ?? new Uri("https://en.wikipedia.org/"), "w/rest.php/v1/"))
            .AddWikimediaUserToken();

        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/signin", (string? returnUrl) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = returnUrl is not null && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/" },
            [WikimediaAuthenticationDefaults.AuthenticationScheme]));
        app.MapGet("/me", async (HttpContext context) =>
        {
            var result = await context.AuthenticateAsync();
            return Results.Json(new
            {
                claims = context.User.Claims.Select(c => new { type = c.Type, value = c.Value, valueType = c.ValueType }),
                tokens = result.Properties?.GetTokens().ToDictionary(t => t.Name, t => t.Value) ?? [],
            });
        }).RequireAuthorization();
        app.MapGet("/token", async (HttpContext context, bool? force, string? rejected) =>
        {
            var token = rejected is null
                ? await context.GetWikimediaAccessTokenAsync(force ?? false)
                : await context.RequestServices.GetRequiredService<IWikimediaAccessTokenProvider>().GetAccessTokenAfterRejectionAsync(context, rejected);
            return Results.Json(new { status = token.Status.ToString(), accessToken = token.AccessToken, expiresAt = token.ExpiresAt });
        });
        app.MapGet("/api/page", async (WikimediaApiClient api, string title) => Results.Json(await api.GetPageAsync("wikipedia", "en", title)));
        app.MapGet("/api/search", async (WikimediaApiClient api, string q) => Results.Json(await api.SearchPagesAsync("wikipedia", "en", q, 5)));
        // The calls of the configured wiki: a REST root's own, or WikimediaApiOptions.Project and Language on the gateway.
        app.MapGet("/api/wiki/page", async (WikimediaApiClient api, string title) => Results.Json(await api.GetPageAsync(title)));
        app.MapGet("/api/wiki/search", async (WikimediaApiClient api, string q, int limit) => Results.Json(await api.SearchPagesAsync(q, limit)));
        app.MapGet("/api/profile", async (WikimediaApiClient api) => Results.Json(await api.GetProfileAsync()));
        // Edits (docs/token-refresh.md, "Editing"): a GET here only because the tests' browser has no antiforgery token.
        app.MapGet("/api/wiki/source", async (WikimediaApiClient api, string title) => Results.Json(await api.GetPageSourceAsync(title)));
        app.MapGet("/api/wiki/history", async (WikimediaApiClient api, string title) => Results.Json(await api.GetPageHistoryAsync(title)));
        app.MapGet("/api/wiki/edit", async (WikimediaApiClient api, string title, string source, string comment, long? latest) =>
            Results.Json(await api.EditPageAsync(title, source, comment, latest)));
        app.MapGet("/api/perwiki", async (IHttpClientFactory factory, string title) =>
        {
            using var response = await factory.CreateClient("enwiki").GetAsync(new Uri($"page/{Uri.EscapeDataString(title)}/bare", UriKind.Relative));
            return Results.Text(await response.Content.ReadAsStringAsync(), "application/json", statusCode: (int)response.StatusCode);
        });
        app.MapGet("/denied", (string? returnUrl) => Results.Text("Access denied. Return: " + returnUrl));
        app.MapGet("/failed", () => Results.Text("Sign-in failed."));
        endpoints?.Invoke(app);
        app.MapGet("/", (ClaimsPrincipal user) => Results.Text(user.Identity?.IsAuthenticated == true ? "Hello " + user.Identity.Name : "Anonymous"));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestApp(app, new Uri(address), failures);
    }

    /// <summary>The failures OnRemoteFailure saw.</summary>
    public IReadOnlyList<Exception> RemoteFailures => _failures.ToArray();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
