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
        // recycles pooled connections so that DNS changes are seen, which a long-lived HttpClient otherwise misses.
        options.Backchannel ??= new HttpClient(options.BackchannelHttpHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            Timeout = options.BackchannelTimeout,
            MaxResponseContentBufferSize = MaxResponseContentBufferSize,
        };
    }
}
