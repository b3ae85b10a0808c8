using System.Text;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks;

/// <summary>
/// The apps that <see cref="PairedRefreshRunner"/> compares: the same cookie + Wikimedia app with the default in-process
/// refresh coordinator and with the Redis coordinator (<c>AddWikimediaRedisRefreshCoordinator</c>, a real
/// redis-server on loopback), each invoked in memory as <see cref="AuthenticatedRequestBenchmarks"/> does. The token
/// endpoint is a stub in the backchannel (<see cref="TokenEndpointStub"/>: no socket, an answer at once), so that a
/// refresh costs what the app and the coordinator spend on it, not a server's latency.
/// </summary>
internal sealed class RefreshCoordinatorPipelines : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];

    private RefreshCoordinatorPipelines()
    {
    }

    /// <summary>Due sessions, each refreshed once by its one request, through the in-process coordinator.</summary>
    public Pipeline DueInProcess { get; private set; } = null!;

    /// <summary>The same through the Redis coordinator.</summary>
    public Pipeline DueRedis { get; private set; } = null!;

    /// <summary>A session that is not due, with the default coordinator (one cookie, every request).</summary>
    public Pipeline NotDueInProcess { get; private set; } = null!;

    /// <summary>The same with the Redis coordinator registered.</summary>
    public Pipeline NotDueRedis { get; private set; } = null!;

    public IConnectionMultiplexer Connection { get; private set; } = null!;

    public static async Task<RefreshCoordinatorPipelines> StartAsync(IConnectionMultiplexer connection)
    {
        var pipelines = new RefreshCoordinatorPipelines { Connection = connection };
        pipelines.DueInProcess = await pipelines.StartAsync(redis: null, due: true);
        pipelines.DueRedis = await pipelines.StartAsync(connection, due: true);
        pipelines.NotDueInProcess = await pipelines.StartAsync(redis: null, due: false);
        pipelines.NotDueRedis = await pipelines.StartAsync(connection, due: false);
        return pipelines;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    private async Task<Pipeline> StartAsync(IConnectionMultiplexer? redis, bool due)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        var stub = new TokenEndpointStub();
        var authentication = builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie()
            .AddWikimedia(o =>
            {
                o.ClientId = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
                o.ClientSecret = "benchmark";
                o.UserAgent = "Benchmarks/1.0 (ops@example.org)";
                o.BackchannelHttpHandler = stub;
            });
        if (redis is not null)
        {
            authentication.AddWikimediaRedisRefreshCoordinator(redis);
        }

        var app = builder.Build();
        _apps.Add(app);
        app.UseAuthentication();
        app.Run(context => context.User.Identity?.Name == "Example User"
            ? Task.CompletedTask
            : throw new InvalidOperationException("The benchmark's session does not authenticate."));
        var pipeline = new Pipeline(((IApplicationBuilder)app).Build(), app.Services.GetRequiredService<IServiceScopeFactory>(), stub, due);
        if (due)
        {
            // A first refresh: connects, subscribes and warms both paths before anything is measured.
            await pipeline.PrepareAsync(1);
            await pipeline.InvokeAsync();
        }
        else
        {
            pipeline.Prepare(await pipeline.SignInAsync(due: false));
            await pipeline.InvokeAsync();
        }

        return pipeline;
    }

    internal sealed class Pipeline(RequestDelegate next, IServiceScopeFactory scopes, TokenEndpointStub stub, bool due)
    {
        private readonly Queue<string> _cookies = new();
        private string _cookie = "";

        /// <summary>Token requests the stub answered: one per due request, none otherwise.</summary>
        public int TokenRequests => stub.Requests;

        public int CookieLength => _cookie.Length;

        /// <summary>Signs in <paramref name="count"/> new due sessions, one per request to come (outside any timing).</summary>
        public async Task PrepareAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _cookies.Enqueue(await SignInAsync(due: true));
            }
        }

        public void Prepare(string cookie) => _cookie = cookie;

        /// <summary>
        /// What Kestrel's hosting layer does per request: a scope, a context, the pipeline, then the response's start
        /// (the cookie handler writes a renewed cookie then). A due session's request must refresh once and re-issue
        /// its cookie; anything else is a broken measurement.
        /// </summary>
        public async Task InvokeAsync()
        {
            await using var scope = scopes.CreateAsyncScope();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            var response = new StartingResponseFeature();
            context.Features.Set<IHttpResponseFeature>(response);
            context.Request.Scheme = "https";
            context.Request.Host = new HostString("bench.example");
            context.Request.Path = "/me";
            var requestsBefore = stub.Requests;
            context.Request.Headers.Cookie = due ? _cookies.Dequeue() : _cookie;
            await next(context);
            await response.StartAsync();
            if (due && (stub.Requests != requestsBefore + 1 || context.Response.Headers.SetCookie.Count == 0))
            {
                throw new InvalidOperationException($"A due session's request made {stub.Requests - requestsBefore} token requests and {context.Response.Headers.SetCookie.Count} Set-Cookie headers, not one refresh.");
            }
        }

        /// <summary>
        /// A session as a Wikimedia sign-in leaves it, with real-size random tokens: due (it expires in 2 minutes, within
        /// the 5 minutes' lead) or not (4 hours). Each due session has its own session id and refresh token, so that no
        /// coordinator or rotation ledger can answer its refresh from a previous one.
        /// </summary>
        public Task<string> SignInAsync(bool due)
        {
            var now = DateTimeOffset.UtcNow;
            return BenchmarkSession.SignInAsync(scopes, due ? now.AddHours(-4) : now, due ? now.AddMinutes(2) : now.AddHours(4));
        }
    }

    /// <summary>
    /// Wikimedia's token endpoint as the backchannel sees it, without a network: every request is answered at once with
    /// a real-size token response (a 1 KB JWT, a 700-character refresh token, 4 hours), built once.
    /// </summary>
    internal sealed class TokenEndpointStub : HttpMessageHandler
    {
        private static readonly byte[] Answer = Encoding.UTF8.GetBytes(
            $$"""{"token_type":"Bearer","expires_in":14400,"access_token":"{{BenchmarkSession.NewAccessToken()}}","refresh_token":"{{BenchmarkSession.NewRefreshToken()}}"}""");

        private int _requests;

        public int Requests => Volatile.Read(ref _requests);


        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            var content = new ByteArrayContent(Answer);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }

    /// <summary>A response feature that runs its OnStarting callbacks when told, as a server does at the first write.</summary>
    private sealed class StartingResponseFeature : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Add((callback, state));

        public async Task StartAsync()
        {
            // In reverse order of registration, as Kestrel runs them.
            for (var i = _starting.Count - 1; i >= 0; i--)
            {
                await _starting[i].Callback(_starting[i].State);
            }

            _starting.Clear();
        }
    }
}
