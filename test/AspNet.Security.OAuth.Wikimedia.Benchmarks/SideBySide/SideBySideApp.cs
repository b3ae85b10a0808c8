using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks.SideBySide;

/// <summary>
/// One app of the side-by-side benchmark, invoked in memory as <see cref="AuthenticatedRequestBenchmarks"/>'s pipelines
/// are (a service scope, an <see cref="HttpContext"/>, the pipeline; no sockets), at <see cref="Origin"/>, the
/// loopback address the emulator's clients accept as a callback. Routes: <c>/signin</c> (a challenge of
/// <see cref="Scheme"/>), <c>/signin-wikimedia</c> (the callback, handled by the remote scheme), <c>/me</c> (fails
/// unless the user is signed in).
/// </summary>
internal sealed class SideBySideApp : IAsyncDisposable
{
    /// <summary>The app's address: the emulator accepts <c>http://127.0.0.1/signin-wikimedia</c> on any port.</summary>
    public const string Origin = "http://127.0.0.1:5000";

    /// <summary>The remote scheme's name, Wikimedia's or the stock handler's.</summary>
    public const string Scheme = WikimediaAuthenticationDefaults.AuthenticationScheme;

    /// <summary>The sample's cookie name (sample-webapp/Program.cs); all three apps use the sample's cookie options.</summary>
    public const string CookieName = "__Host-wikimedia-sample";

    private const string ExpectedUser = "Example User";

    private readonly WebApplication _app;

    private SideBySideApp(string name, WebApplication app, PhaseProbe probe, EmulatorBackchannel? backchannel)
    {
        Name = name;
        _app = app;
        Probe = probe;
        Backchannel = backchannel;
        Pipeline = ((IApplicationBuilder)app).Build();
        Scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
    }

    public string Name { get; }

    public RequestDelegate Pipeline { get; }

    public IServiceScopeFactory Scopes { get; }

    public IServiceProvider Services => _app.Services;

    public PhaseProbe Probe { get; }

    /// <summary>Gets the backchannel of the remote scheme; null for the plain cookie app.</summary>
    public EmulatorBackchannel? Backchannel { get; }

    /// <summary>The cookie scheme's ticket format: Wikimedia's compressing format in the Wikimedia app, the framework's elsewhere.</summary>
    public ISecureDataFormat<AuthenticationTicket> TicketFormat
        => Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat;

    /// <summary>The sample's app: <c>AddCookie(sample's options).AddWikimedia()</c>, default Wikimedia options unless <paramref name="configure"/> changes them.</summary>
    public static SideBySideApp Wikimedia(
        WikimediaEmulator emulator, Action<IServiceCollection>? services = null, Action<WikimediaAuthenticationOptions>? configure = null, string name = "AddWikimedia")
    {
        var probe = new PhaseProbe();
        var backchannel = new EmulatorBackchannel(probe);
        return Create(name, probe, backchannel, services, authentication => authentication.AddWikimedia(o =>
        {
            o.UseEmulator(emulator);
            o.UserAgent = StockWikimediaOAuth.UserAgent;
            o.BackchannelHttpHandler = backchannel;
            configure?.Invoke(o);
        }));
    }

    /// <summary>The same app on Microsoft's <c>AddOAuth</c>, configured as <see cref="StockWikimediaOAuth"/> says.</summary>
    public static SideBySideApp Stock(WikimediaEmulator emulator)
    {
        var probe = new PhaseProbe();
        var backchannel = new EmulatorBackchannel(probe);
        return Create("stock AddOAuth", probe, backchannel, null, authentication => StockWikimediaOAuth.Add(authentication, emulator, backchannel));
    }

    /// <summary>A plain cookie app: <c>AddCookie(sample's options)</c> only.</summary>
    public static SideBySideApp PlainCookie() => Create("cookie only", new PhaseProbe(), null, null, _ => { });

    private static SideBySideApp Create(
        string name, PhaseProbe probe, EmulatorBackchannel? backchannel, Action<IServiceCollection>? services, Action<AuthenticationBuilder> remote)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var authentication = builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            // sample-webapp/Program.cs
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = "/signin";
            o.ExpireTimeSpan = TimeSpan.FromDays(14);
            o.SlidingExpiration = true;

            // The probe's marks around the cookie's sign-in (ticket protection and Set-Cookie); a no-op unless enabled.
            o.Events.OnSigningIn = _ =>
            {
                probe.Mark(Phase.CookieSigningIn);
                return Task.CompletedTask;
            };
            o.Events.OnSignedIn = _ =>
            {
                probe.Mark(Phase.CookieSignedIn);
                return Task.CompletedTask;
            };
        });
        remote(authentication);
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseAuthentication();
        app.Run(context => context.Request.Path.Value switch
        {
            "/signin" => context.ChallengeAsync(Scheme, new AuthenticationProperties { RedirectUri = "/" }),
            "/me" when context.User.Identity?.Name == ExpectedUser => Task.CompletedTask,
            "/me" => throw new InvalidOperationException("The benchmark's session does not authenticate."),
            _ => throw new InvalidOperationException($"Unexpected request for {context.Request.Path}."),
        });
        return new SideBySideApp(name, app, probe, backchannel);
    }

    /// <summary>A request, in memory; returns the status, the Location header and the cookies set (name=value, deletions left out).</summary>
    public async Task<Reply> SendAsync(string path, string? query = null, string? cookie = null)
    {
        await using var scope = Scopes.CreateAsyncScope();
        var context = NewContext(scope.ServiceProvider, path, query, cookie);
        await Pipeline(context);
        var cookies = context.Response.Headers.SetCookie
            .Select(c => c!.Split(';')[0])
            .Where(c => !c.EndsWith('='))
            .ToArray();
        return new Reply(context.Response.StatusCode, context.Response.Headers.Location.ToString(), cookies);
    }

    /// <summary>
    /// The timed callback: one complete sign-in (state, correlation, code exchange, profile, claims, the cookie's
    /// sign-in), checked to have succeeded (a failed sign-in would throw or redirect elsewhere).
    /// </summary>
    public async Task CallbackAsync(PreparedSignIn signIn)
    {
        Probe.Mark(Phase.Start);
        await using (var scope = Scopes.CreateAsyncScope())
        {
            var context = NewContext(scope.ServiceProvider, "/signin-wikimedia", signIn.Query, signIn.Cookie);
            await Pipeline(context);
            if (context.Response.StatusCode != StatusCodes.Status302Found || context.Response.Headers.Location != "/")
            {
                throw new InvalidOperationException($"{Name}: the sign-in did not succeed (HTTP {context.Response.StatusCode}, Location {context.Response.Headers.Location}).");
            }
        }

        Probe.Mark(Phase.End);
    }

    /// <summary>
    /// Starts a sign-in as a browser would: the challenge (in memory), then the emulator's authorize endpoint (over
    /// loopback; it approves at once), whose redirect carries a fresh code and the state. The callback can then be
    /// replayed by <see cref="CallbackAsync"/> with the cookies the challenge set.
    /// </summary>
    public async Task<PreparedSignIn> PrepareSignInAsync(HttpClient browser)
    {
        var challenge = await SendAsync("/signin");
        if (challenge.Status != StatusCodes.Status302Found)
        {
            throw new InvalidOperationException($"{Name}: the challenge answered HTTP {challenge.Status}.");
        }

        using var authorize = await browser.GetAsync(new Uri(challenge.Location));
        var callback = authorize.Headers.Location;
        if (callback is null || !callback.AbsolutePath.Equals("/signin-wikimedia", StringComparison.Ordinal) || !callback.Query.Contains("code=", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{Name}: the emulator answered the authorization request with HTTP {(int)authorize.StatusCode} {callback}.");
        }

        return new PreparedSignIn(callback.Query, string.Join("; ", challenge.Cookies));
    }

    /// <summary>Signs in a session in memory and returns its Cookie header (all chunks).</summary>
    public async Task<string> SignInAsync(ClaimsPrincipal principal, AuthenticationProperties properties)
    {
        await using var scope = Scopes.CreateAsyncScope();
        var context = NewContext(scope.ServiceProvider, "/", null, null);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, properties);
        return SessionCookie(context.Response.Headers.SetCookie.Select(c => c!.Split(';')[0]));
    }

    /// <summary>Authenticates a request that carries <paramref name="cookie"/> with the cookie scheme, as the app's pipeline would.</summary>
    public async Task<AuthenticateResult> AuthenticateAsync(string cookie)
    {
        await using var scope = Scopes.CreateAsyncScope();
        return await NewContext(scope.ServiceProvider, "/me", null, cookie).AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>The session cookie's chunks among <paramref name="cookies"/> (name=value), as one Cookie header.</summary>
    public static string SessionCookie(IEnumerable<string> cookies)
        => string.Join("; ", cookies.Where(c => c.StartsWith(CookieName, StringComparison.Ordinal) && !c.EndsWith('=')));

    /// <summary>A context like Kestrel's for a request to <see cref="Origin"/>.</summary>
    private static DefaultHttpContext NewContext(IServiceProvider services, string path, string? query, string? cookie)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1:5000");
        context.Request.Path = path;
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        if (cookie is not null)
        {
            context.Request.Headers.Cookie = cookie;
        }

        return context;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Backchannel?.Dispose();
    }
}

/// <summary>The callback of a sign-in under way: its query (code and state) and the cookies its challenge set.</summary>
internal sealed record PreparedSignIn(string Query, string Cookie);

/// <summary>An in-memory answer: status, Location, and the cookies set (name=value).</summary>
internal sealed record Reply(int Status, string Location, string[] Cookies);
