using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Context of <see cref="WikimediaAuthenticationEvents.OnTokenRefreshFailed"/>: what went wrong, and whether the
/// session ends because of it.
/// </summary>
public class WikimediaTokenRefreshFailedContext : PropertiesContext<WikimediaAuthenticationOptions>
{
    /// <summary>Initializes a new <see cref="WikimediaTokenRefreshFailedContext"/>.</summary>
    /// <param name="context">The HTTP context.</param>
    /// <param name="scheme">The Wikimedia scheme.</param>
    /// <param name="options">The Wikimedia options.</param>
    /// <param name="principal">The signed-in user.</param>
    /// <param name="properties">The session's properties.</param>
    /// <param name="result">The failed refresh.</param>
    /// <param name="accessTokenExpiresAt">When the current access token expires.</param>
    /// <param name="signOut">The default decision of the failure policy.</param>
    public WikimediaTokenRefreshFailedContext(
        HttpContext context, AuthenticationScheme scheme, WikimediaAuthenticationOptions options,
        ClaimsPrincipal principal, AuthenticationProperties properties, WikimediaTokenResult result,
        DateTimeOffset? accessTokenExpiresAt, bool signOut)
        : base(context, scheme, options, properties)
    {
        Principal = principal;
        Result = result;
        AccessTokenExpiresAt = accessTokenExpiresAt;
        SignOut = signOut;
    }

    /// <summary>Gets the signed-in user.</summary>
    public ClaimsPrincipal Principal { get; }

    /// <summary>Gets the failed refresh: its status, the OAuth error, the HTTP status, and why.</summary>
    public WikimediaTokenResult Result { get; }

    /// <summary>Gets when the current access token expires; it may already have.</summary>
    public DateTimeOffset? AccessTokenExpiresAt { get; }

    /// <summary>
    /// Gets or sets whether the session ends: the cookie is removed and the next request is anonymous.
    /// Default: true when <see cref="WikimediaTokenResult.Status"/> is <see cref="WikimediaTokenStatus.SessionEnded"/>
    /// (the grant was revoked, expired or reused), false otherwise (a transient failure is retried later with
    /// back-off). See docs/token-refresh.md.
    /// </summary>
    public bool SignOut { get; set; }
}
