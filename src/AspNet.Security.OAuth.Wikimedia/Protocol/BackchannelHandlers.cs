using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Protocol;

/// <summary>
/// The backchannel's handlers come from <see cref="IHttpClientFactory"/>: one named client per scheme
/// (<see cref="WikimediaAuthenticationDefaults.BackchannelHttpClientName"/>), so that an app adds resilience or HTTP
/// telemetry the way it does for its other clients, and handlers are recycled (DNS changes are seen).
/// </summary>
/// <remarks>
/// Whatever the app adds, the primary handler never follows a redirect: a 307 or 308 would post the client secret,
/// the code, the PKCE verifier or the refresh token again to whatever host it names (RFC 9700 section 4.11), and
/// WikimediaBackchannel refuses an answer that came from anywhere else. A <c>BackchannelHttpHandler</c> the app set is
/// used as the primary handler, told the same, and never disposed by the factory's recycling.
/// </remarks>
internal static class BackchannelHandlers
{
    public static void Register(IServiceCollection services, string scheme)
        => services.AddHttpClient(WikimediaAuthenticationDefaults.BackchannelHttpClientName(scheme))
            .ConfigurePrimaryHttpMessageHandler(provider => CreatePrimary(provider.GetRequiredService<IOptionsMonitor<WikimediaAuthenticationOptions>>().Get(scheme)))
            // The factory's default loggers write request headers, the profile request's Bearer token among them, into
            // the structured state of their Trace entries (RedactLoggedHeaders only masks the message): the handler's
            // own log lines and activities say what happened instead.
            .RemoveAllLoggers();

    /// <summary>
    /// The handler of <c>Options.Backchannel</c>: each request goes through the factory's current handlers for the
    /// scheme, so that the long-lived <see cref="HttpClient"/> the framework expects still sees recycled handlers.
    /// </summary>
    public static HttpMessageHandler FromFactory(IHttpMessageHandlerFactory factory, string scheme)
        => new Forwarding(() => factory.CreateHandler(WikimediaAuthenticationDefaults.BackchannelHttpClientName(scheme)));

    /// <summary>The primary handler of an app that has no <see cref="IHttpMessageHandlerFactory"/> (options built by hand).</summary>
    public static HttpMessageHandler CreatePrimary(WikimediaAuthenticationOptions options)
    {
        if (options.BackchannelHttpHandler is { } app)
        {
            NoRedirects(app);
            return new Forwarding(() => app);
        }

        return new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
    }

    /// <summary>
    /// Turns redirects off on a handler the app supplied. Called when the options are built (at start-up: AddWikimedia
    /// resolves them then), before the app can have sent anything through a handler it shares with its own clients:
    /// afterwards its settings can no longer change, and the factory would remember the failure for good.
    /// </summary>
    public static void NoRedirects(HttpMessageHandler handler)
    {
        switch (handler)
        {
            case SocketsHttpHandler sockets when sockets.AllowAutoRedirect:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler client when client.AllowAutoRedirect:
                client.AllowAutoRedirect = false;
                break;
            case DelegatingHandler { InnerHandler: { } inner }:
                NoRedirects(inner);
                break;
        }
    }

    /// <summary>Sends through a handler it does not own: disposing it leaves that handler alone.</summary>
    private sealed class Forwarding(Func<HttpMessageHandler> target) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var invoker = new HttpMessageInvoker(target(), disposeHandler: false);
            return await invoker.SendAsync(request, cancellationToken);
        }
    }
}
