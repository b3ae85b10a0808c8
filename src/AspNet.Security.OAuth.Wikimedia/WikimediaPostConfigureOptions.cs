using AspNet.Security.OAuth.Wikimedia.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Completes <see cref="WikimediaAuthenticationOptions"/> after the application configured them: derives the
/// endpoints left unset from <see cref="WikimediaAuthenticationOptions.Authority"/>, sets the default
/// User-Agent, and creates the backchannel on the scheme's <see cref="IHttpClientFactory"/> client
/// (<see cref="WikimediaAuthenticationDefaults.BackchannelHttpClientName"/>), which never follows redirects.
/// </summary>
/// <param name="environment">The host environment, for the application's name in the default User-Agent; optional.</param>
/// <param name="handlers">The factory of the backchannel's handlers; without one, a handler of its own is created.</param>
public class WikimediaPostConfigureOptions(IHostEnvironment? environment = null, IHttpMessageHandlerFactory? handlers = null) : IPostConfigureOptions<WikimediaAuthenticationOptions>
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

        // OAuthPostConfigureOptions runs after this and only creates a backchannel when none is set. An HttpClient the
        // app built could follow redirects: WikimediaAuthenticationOptions.Validate refuses it and asks for
        // BackchannelHttpHandler instead, which Protocol/BackchannelHandlers.cs turns redirects off in.
        options.BackchannelSuppliedByApp = options.Backchannel is not null;
        if (options.BackchannelHttpHandler is { } appHandler)
        {
            // Now, not when the factory first builds the scheme's handlers (the first sign-in): by then the app may have
            // used a handler it shares with its own clients, which can no longer be changed.
            BackchannelHandlers.NoRedirects(appHandler);
        }

        options.Backchannel ??= new HttpClient(handlers is not null && name is not null ? BackchannelHandlers.FromFactory(handlers, name) : BackchannelHandlers.CreatePrimary(options))
        {
            Timeout = options.BackchannelTimeout,
            MaxResponseContentBufferSize = MaxResponseContentBufferSize,
        };
    }
}
