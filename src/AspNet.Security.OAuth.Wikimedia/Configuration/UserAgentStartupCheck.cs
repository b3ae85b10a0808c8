using AspNet.Security.OAuth.Wikimedia.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Configuration;

/// <summary>
/// At start-up, warns once per Wikimedia scheme whose authority is a Wikimedia wiki but whose User-Agent names no
/// contact: Wikimedia answers such agents with 403 or 429, a failure that is otherwise hard to trace.
/// </summary>
internal sealed partial class UserAgentStartupCheck(
    IOptions<AuthenticationOptions> authentication,
    IOptionsMonitor<WikimediaAuthenticationOptions> options,
    ILogger<WikimediaAuthenticationHandler> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var scheme in authentication.Value.Schemes)
        {
            if (scheme.HandlerType is null || !typeof(WikimediaAuthenticationHandler).IsAssignableFrom(scheme.HandlerType))
            {
                continue;
            }

            var schemeOptions = options.Get(scheme.Name);
            if (UserAgentPolicy.IsWikimediaHost(schemeOptions.Authority) && !UserAgentPolicy.HasContact(schemeOptions.UserAgent))
            {
                UserAgentWithoutContact(logger, scheme.Name, schemeOptions.UserAgent, UserAgentPolicy.PolicyUrl);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(100, LogLevel.Warning,
        "The User-Agent of authentication scheme '{Scheme}' is '{UserAgent}', which names no contact. Wikimedia's User-Agent policy " +
        "({PolicyUrl}) asks for '<client name>/<version> (<contact: URL or e-mail>) <library>/<version>' and answers generic agents " +
        "with 403 or 429. Set Authentication:Schemes:{Scheme}:UserAgent or WikimediaAuthenticationOptions.UserAgent.")]
    private static partial void UserAgentWithoutContact(ILogger logger, string scheme, string? userAgent, string policyUrl);
}
