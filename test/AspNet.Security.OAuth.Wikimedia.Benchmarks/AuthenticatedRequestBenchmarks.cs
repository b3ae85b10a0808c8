using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks;

/// <summary>
/// One authenticated request through the authentication pipeline, invoked in memory (no sockets, no test client,
/// so that the measurement is the pipeline's and not the transport's): cookie authentication alone, the baseline,
/// versus cookie authentication with AddWikimedia() and a Wikimedia session whose token is not due, which runs the
/// refresh check on every request. Both sessions hold the same tokens, so the cookies are the same size but for the
/// one bookkeeping item the refresh needs.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 5, warmupCount: 5, iterationCount: 20)]
[MedianColumn]
public class AuthenticatedRequestBenchmarks
{
    private readonly List<WebApplication> _apps = [];
    private Pipeline _plain = null!;
    private Pipeline _schemeOnly = null!;
    private Pipeline _wikimedia = null!;
    private Pipeline _serverSide = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _plain = await StartAsync(withWikimedia: false, wikimediaSession: false);
        _schemeOnly = await StartAsync(withWikimedia: true, wikimediaSession: false);
        _wikimedia = await StartAsync(withWikimedia: true, wikimediaSession: true);
        _serverSide = await StartAsync(withWikimedia: true, wikimediaSession: true, serverSide: true);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>The baseline, then the variants with their names and cookies' sizes, for the paired runner.</summary>
    internal (Func<Task> Baseline, int BaselineCookie, (string Name, Func<Task> Invoke, int Cookie)[] Variants) Pipelines =>
        (_plain.InvokeAsync, _plain.Cookie.Length,
        [
            ("cookie + Wikimedia scheme, other session", _schemeOnly.InvokeAsync, _schemeOnly.Cookie.Length),
            ("cookie + Wikimedia scheme + refresh check", _wikimedia.InvokeAsync, _wikimedia.Cookie.Length),
            ("server-side session (memory cache) + refresh check", _serverSide.InvokeAsync, _serverSide.Cookie.Length),
        ]);

    [Benchmark(Baseline = true, Description = "cookie only")]
    public Task CookieOnly() => _plain.InvokeAsync();

    [Benchmark(Description = "cookie + Wikimedia scheme, other session")]
    public Task CookieWithWikimediaScheme() => _schemeOnly.InvokeAsync();

    [Benchmark(Description = "cookie + Wikimedia scheme + refresh check")]
    public Task CookieWithRefreshCheck() => _wikimedia.InvokeAsync();

    [Benchmark(Description = "server-side session (memory cache) + refresh check")]
    public Task ServerSideSession() => _serverSide.InvokeAsync();

    private async Task<Pipeline> StartAsync(bool withWikimedia, bool wikimediaSession, bool serverSide = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var authentication = builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        if (withWikimedia)
        {
            authentication.AddWikimedia(o =>
            {
                o.ClientId = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
                o.ClientSecret = "benchmark";
                o.UserAgent = "Benchmarks/1.0 (ops@example.org)";
            });
        }

        if (serverSide)
        {
            builder.Services.AddDistributedMemoryCache();
            authentication.AddWikimediaServerSideSessions();
        }

        var app = builder.Build();
        _apps.Add(app);
        app.UseAuthentication();
        app.Run(context => context.User.Identity?.Name == "Example User"
            ? Task.CompletedTask
            : throw new InvalidOperationException("The benchmark's session does not authenticate."));
        var pipeline = new Pipeline(((IApplicationBuilder)app).Build(), app.Services.GetRequiredService<IServiceScopeFactory>());
        pipeline.Cookie = await SignInAsync(pipeline, wikimediaSession);
        await pipeline.InvokeAsync();
        return pipeline;
    }

    /// <summary>The session a Wikimedia sign-in leaves: the tokens, and (for a Wikimedia session) the refresh marks.</summary>
    private static Task<string> SignInAsync(Pipeline pipeline, bool wikimediaSession)
        => BenchmarkSession.SignInAsync(pipeline.Scopes, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(4), wikimediaSession);

    internal sealed class Pipeline(RequestDelegate next, IServiceScopeFactory scopes)
    {
        public IServiceScopeFactory Scopes { get; } = scopes;

        public string Cookie { get; set; } = "";

        /// <summary>What Kestrel's hosting layer does per request: a scope, a context, the pipeline.</summary>
        public async Task InvokeAsync()
        {
            await using var scope = Scopes.CreateAsyncScope();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            context.Request.Scheme = "https";
            context.Request.Host = new HostString("bench.example");
            context.Request.Path = "/me";
            context.Request.Headers.Cookie = Cookie;
            await next(context);
        }
    }
}
