namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// Which OAuth 2.0 server a <see cref="WikimediaEmulator"/> behaves like, where servers differ (docs/protocol.md).
/// Set through <see cref="WikimediaEmulatorOptions.Server"/>; docs/emulator.md lists every difference.
/// </summary>
public enum EmulatedServer
{
    /// <summary>
    /// Wikimedia's wikis today: 4-hour access tokens, a 600-second grace period for a rotated refresh token,
    /// <c>400 invalid_grant</c> for a dead refresh token or a spent code, no <c>message</c> in error bodies, and the
    /// edge's answers for expired tokens.
    /// </summary>
    Wikimedia,

    /// <summary>
    /// MediaWiki 1.39 with Extension:OAuth REL1_39, as observed on a real one (test/realwiki/README.md): 1-hour
    /// access tokens, strict rotation, <c>401 invalid_request</c> for a dead refresh token, <c>invalid_request</c>
    /// for a spent code, <c>message</c> in every error, refresh refused to public consumers, the profile labelled
    /// <c>text/html</c>, HTTP 200 error pages, and a 307 to the consent page with a 302 back through
    /// <c>approval_pass</c> or <c>approval_cancel</c>.
    /// </summary>
    MediaWiki139,

    /// <summary>
    /// MediaWiki 1.43 with Extension:OAuth REL1_43, as observed on a real one (test/realwiki/README.md): as
    /// <see cref="MediaWiki139"/>, except that the profile is labelled <c>application/json</c>, error pages carry their
    /// HTTP status (400, 401) instead of 200, a token request whose body is not a form is <c>415</c>, and the REST
    /// API's edit errors name their cause in <c>errorKey</c>: <c>rest-badtoken</c> (403) for an edit without a token,
    /// <c>protectedpagetext</c> for a protected page.
    /// </summary>
    MediaWiki143,
}
