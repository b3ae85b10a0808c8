using AspNet.Security.OAuth.Wikimedia.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Completes <see cref="WikimediaAuthenticationOptions"/> after the application configured them: derives the
/// endpoints left unset from <see cref="WikimediaAuthenticationOptions.Authority"/>, sets the default
/// User-Agent, and creates a backchannel whose connections are recycled.
/// </summary>
/// <param name="environment">The host environment, for the application's name in the default User-Agent; optional.</param>
public class WikimediaPostConfigureOptions(IHostEnvironment? environment = null) : IPostConfigureOptions<WikimediaAuthenticationOptions>
{
    /// <summary>The largest answer the backchannel reads: tokens are about 1 KB and profiles a few KB.</summary>
    internal const int MaxResponseContentBufferSize = 1024 * 1024;

    /// <inheritdoc />
    public void PostConfigure(string? name, WikimediaAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var authority = (string.IsNullOrWhiteSpace(options.Authority) ? WikimediaAuthenticationDefaults.Authority : options.Authority).TrimEnd('/');
        options.Authority = authority;
        if (string.IsNullOrEmpty(options.AuthorizationEndpoint))
        {
            options.AuthorizationEndpoint = authority + WikimediaAuthenticationConstants.Paths.Authorize;
        }

        if (string.IsNullOrEmpty(options.TokenEndpoint))
        {
            options.TokenEndpoint = authority + WikimediaAuthenticationConstants.Paths.AccessToken;
        }

        if (string.IsNullOrEmpty(options.UserInformationEndpoint))
        {
            options.UserInformationEndpoint = authority + WikimediaAuthenticationConstants.Paths.Profile;
        }

        if (string.IsNullOrWhiteSpace(options.UserAgent))
        {
            options.UserAgent = UserAgentPolicy.CreateDefault(environment?.ApplicationName);
        }

        // OAuthPostConfigureOptions runs after this and only creates a backchannel when none is set. This one
        // recycles pooled connections so that DNS changes are seen, which a long-lived HttpClient otherwise misses,
        // and never follows a redirect: a 307 or 308 would post the client secret, the code, the PKCE verifier or
        // the refresh token again to whatever host it names (RFC 9700 section 4.11). A handler the app supplies
        // is told the same; WikimediaBackchannel refuses an answer that came from anywhere else.
        // An HttpClient the app built cannot be told not to follow redirects: WikimediaAuthenticationOptions.Validate
        // refuses it and asks for BackchannelHttpHandler instead.
        options.BackchannelSuppliedByApp = options.Backchannel is not null;
        var handler = options.BackchannelHttpHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
        NoRedirects(handler);
        options.Backchannel ??= new HttpClient(handler)
        {
            Timeout = options.BackchannelTimeout,
            MaxResponseContentBufferSize = MaxResponseContentBufferSize,
        };
    }

    private static void NoRedirects(HttpMessageHandler handler)
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
}
