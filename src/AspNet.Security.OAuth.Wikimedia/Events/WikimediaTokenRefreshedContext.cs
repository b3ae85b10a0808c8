using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Context of <see cref="WikimediaAuthenticationEvents.OnTokenRefreshed"/>: the session's tokens were replaced.
/// </summary>
public class WikimediaTokenRefreshedContext : PropertiesContext<WikimediaAuthenticationOptions>
{
    /// <summary>Initializes a new <see cref="WikimediaTokenRefreshedContext"/>.</summary>
    /// <param name="context">The HTTP context.</param>
    /// <param name="scheme">The Wikimedia scheme.</param>
    /// <param name="options">The Wikimedia options.</param>
    /// <param name="principal">The signed-in user.</param>
    /// <param name="properties">The session's properties, already holding the new tokens.</param>
    /// <param name="expiresAt">When the new access token expires.</param>
    public WikimediaTokenRefreshedContext(
        HttpContext context, AuthenticationScheme scheme, WikimediaAuthenticationOptions options,
        ClaimsPrincipal principal, AuthenticationProperties properties, DateTimeOffset? expiresAt)
        : base(context, scheme, options, properties)
    {
        Principal = principal;
        ExpiresAt = expiresAt;
    }

    /// <summary>Gets the signed-in user.</summary>
    public ClaimsPrincipal Principal { get; }

    /// <summary>Gets when the new access token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; }
}
