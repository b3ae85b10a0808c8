using AspNet.Security.OAuth.Wikimedia.ClaimMapping;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using static AspNet.Security.OAuth.Wikimedia.WikimediaAuthenticationConstants;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Configuration options for <see cref="WikimediaAuthenticationHandler"/>.
/// </summary>
/// <remarks>
/// Every option can also be set from configuration, under <c>Authentication:Schemes:{scheme}</c>
/// (for example <c>Authentication:Schemes:Wikimedia:ClientId</c>); code runs after configuration and wins.
/// </remarks>
public class WikimediaAuthenticationOptions : OAuthOptions
{
    private string? _schemeForMessages;

    /// <summary>
    /// Initializes a new <see cref="WikimediaAuthenticationOptions"/>.
    /// </summary>
    public WikimediaAuthenticationOptions()
    {
        ClaimsIssuer = WikimediaAuthenticationDefaults.Issuer;
        Events = new WikimediaAuthenticationEvents();
        CallbackPath = WikimediaAuthenticationDefaults.CallbackPath;

        // The endpoints stay empty here on purpose: WikimediaPostConfigureOptions derives the ones left
        // unset from Authority, so that pointing Authority at another wiki moves all three together.

        // RFC 9700 section 2.1.1: PKCE for every client. Wikimedia requires it of public consumers.
        UsePkce = true;
        SaveTokens = true;

        // No scope by default: Wikimedia then grants what the consumer registered. It has no
        // openid, profile or email scope (docs/protocol.md section 2).
        Scope.Clear();

        // Made from the typed profile that the handler reads once; apps still add their own with MapJsonKey and
        // remove these by claim type (docs/configuration.md).
        foreach (var action in ProfileClaimAction.Defaults())
        {
            ClaimActions.Add(action);
        }

        // Rights and grants are not claims by default: each is about 84 bytes of cookie, and an administrator has
        // 150 rights or more, which would take the cookie past proxies' header limits (docs/configuration.md shows
        // how to opt in, and what it costs).
    }

    /// <summary>
    /// Adds the <c>urn:wikimedia:grant</c> claims (one per grant of the consumer, usually a handful) to the
    /// identity. Opt-in: each makes the cookie larger.
    /// </summary>
    /// <returns>These options.</returns>
    public WikimediaAuthenticationOptions MapGrantClaims()
    {
        ClaimActions.Add(ProfileClaimAction.Each(Claims.Grant, p => p.Grants));
        return this;
    }

    /// <summary>
    /// Adds the <c>urn:wikimedia:right</c> claims (one per user right the token allows) to the identity. Opt-in, and
    /// best with server-side sessions: an administrator's 150 or more rights make a cookie of about 13 KB, over
    /// the 8 KB header limit of common reverse proxies.
    /// </summary>
    /// <returns>These options.</returns>
    public WikimediaAuthenticationOptions MapRightClaims()
    {
        ClaimActions.Add(ProfileClaimAction.Each(Claims.Right, p => p.Rights));
        return this;
    }

    /// <summary>
    /// Gets or sets the <see cref="WikimediaAuthenticationEvents"/> used to handle authentication and token-refresh events.
    /// </summary>
    public new WikimediaAuthenticationEvents Events
    {
        get => (WikimediaAuthenticationEvents)base.Events;
        set => base.Events = value;
    }

    /// <summary>
    /// Gets or sets the REST root of the wiki that runs Extension:OAuth, for example
    /// <c>https://meta.wikimedia.org/w/rest.php</c> (the default) or <c>https://wiki.example.org/rest.php</c>.
    /// The authorization, token and profile endpoints are derived from it unless they are set one by one.
    /// HTTPS is required except for loopback hosts.
    /// </summary>
    public string Authority { get; set; } = WikimediaAuthenticationDefaults.Authority;

    /// <summary>
    /// Gets or sets the <c>User-Agent</c> sent with every request to Wikimedia (token, profile and API calls).
    /// Wikimedia's User-Agent policy asks for <c>&lt;client name&gt;/&lt;version&gt; (&lt;contact URL or e-mail&gt;) &lt;library&gt;/&lt;version&gt;</c>
    /// and answers generic agents with 403 or 429.
    /// Default value: <c>{entry assembly}/{version} AspNet.Security.OAuth.Wikimedia/{version}</c>, which has no contact:
    /// set your own, with a contact, before you talk to Wikimedia.
    /// </summary>
    public string? UserAgent { get; set; }

    /// <summary>
    /// Gets or sets how long before the access token expires it is refreshed. It is never more than half of the
    /// token's lifetime, so that short-lived tokens are not refreshed on every request.
    /// Default value: five minutes.
    /// </summary>
    public TimeSpan RefreshBeforeExpiration { get; set; } = WikimediaAuthenticationDefaults.RefreshBeforeExpiration;

    /// <summary>Set by <see cref="WikimediaPostConfigureOptions"/> when the app set <see cref="RemoteAuthenticationOptions.Backchannel"/>.</summary>
    internal bool BackchannelSuppliedByApp { get; set; }

    /// <summary>
    /// Gets or sets whether the tokens of sessions this scheme signs in are refreshed automatically, in the cookie
    /// scheme it signs in to (<see cref="RemoteAuthenticationOptions.SignInScheme"/>, else the default sign-in scheme).
    /// Other cookie schemes are left alone. Default value: true. With false, tokens are refreshed only when the app
    /// asks (<c>GetWikimediaAccessTokenAsync(forceRefresh: true)</c>, the API client after a 401), and the cookie is
    /// written as the cookie handler writes it, uncompressed.
    /// </summary>
    public bool AutomaticRefresh { get; set; } = true;

    /// <summary>
    /// Gets the cookie schemes, besides the sign-in scheme, that also hold sessions of this scheme and whose sessions
    /// are refreshed automatically: for example a second cookie scheme that an app signs the same principal in to.
    /// </summary>
    public ICollection<string> AdditionalRefreshCookieSchemes { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <inheritdoc />
    public override void Validate(string scheme)
    {
        _schemeForMessages = scheme;
        base.Validate(scheme);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Unlike <see cref="OAuthOptions.Validate()"/>, an empty <see cref="OAuthOptions.ClientSecret"/> is allowed:
    /// Wikimedia's public (non-confidential) consumers have none, and then PKCE is required.
    /// </remarks>
    public override void Validate()
    {
        // OAuthOptions.Validate() would demand a ClientSecret, so its checks are repeated here without that one.
        if (string.IsNullOrEmpty(ClientId))
        {
            throw new ArgumentException(
                $"The '{nameof(ClientId)}' option must be provided: the consumer key (32 hex characters) from " +
                $"Special:OAuthConsumerRegistration. Configuration key: {ConfigurationKey(nameof(ClientId))}.",
                nameof(ClientId));
        }

        if (string.IsNullOrEmpty(ClientSecret) && !UsePkce)
        {
            throw new ArgumentException(
                $"The '{nameof(ClientSecret)}' option is empty, which means a public consumer, and public consumers " +
                $"require PKCE: set '{nameof(UsePkce)}' to true or provide the consumer secret. " +
                $"Configuration keys: {ConfigurationKey(nameof(ClientSecret))}, {ConfigurationKey(nameof(UsePkce))}.",
                nameof(ClientSecret));
        }

        if (!CallbackPath.HasValue)
        {
            throw new ArgumentException(
                $"The '{nameof(CallbackPath)}' option must be provided. Configuration key: {ConfigurationKey(nameof(CallbackPath))}.",
                nameof(CallbackPath));
        }

        if (BackchannelSuppliedByApp)
        {
            throw new ArgumentException(
                $"The '{nameof(Backchannel)}' option is not supported: an HttpClient built by the app may follow a redirect from the " +
                "token endpoint and post the client secret, the code, the PKCE verifier or the refresh token to another host. " +
                $"Set '{nameof(BackchannelHttpHandler)}' instead (for a proxy, certificates or a test handler); redirects are then turned off.",
                nameof(Backchannel));
        }

        ValidateEndpoint(Authority, nameof(Authority));
        ValidateEndpoint(AuthorizationEndpoint, nameof(AuthorizationEndpoint));
        ValidateEndpoint(TokenEndpoint, nameof(TokenEndpoint));
        ValidateEndpoint(UserInformationEndpoint, nameof(UserInformationEndpoint));

        foreach (var scope in Scope)
        {
            if (scope is "openid" or "profile" or "email")
            {
                throw new ArgumentException(
                    $"The scope '{scope}' does not exist on Wikimedia and makes it answer invalid_scope. Use " +
                    $"'{Scopes.AuthOnly}' (identity), '{Scopes.AuthOnlyPrivate}' (identity and e-mail) or grant names " +
                    $"such as '{Scopes.Basic}'. Configuration key: {ConfigurationKey(nameof(Scope))}.",
                    nameof(Scope));
            }
        }

        if (RefreshBeforeExpiration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(RefreshBeforeExpiration), RefreshBeforeExpiration,
                $"The '{nameof(RefreshBeforeExpiration)}' option cannot be negative. Configuration key: {ConfigurationKey(nameof(RefreshBeforeExpiration))}.");
        }
    }

    private void ValidateEndpoint(string? value, string name)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException(
                $"The '{name}' option must be an absolute http(s) URL; it is '{value}'. Configuration key: {ConfigurationKey(name)}.",
                name);
        }

        // RFC 9700 section 2.6 (and RFC 6749 section 3.1): credentials and codes only over TLS, loopback excepted.
        if (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)
        {
            throw new ArgumentException(
                $"The '{name}' option must use HTTPS unless its host is a loopback address; it is '{value}'. " +
                $"Configuration key: {ConfigurationKey(name)}.",
                name);
        }
    }

    private string ConfigurationKey(string option)
        => $"Authentication:Schemes:{_schemeForMessages ?? WikimediaAuthenticationDefaults.AuthenticationScheme}:{option}";
}
