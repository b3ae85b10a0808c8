namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// How a token operation ended: the one vocabulary of token outcomes, from the token endpoint (a refresh) through the
/// access-token provider to the API client (<see cref="WikimediaApiResult{T}.TokenStatus"/>).
/// </summary>
public enum WikimediaTokenStatus
{
    /// <summary>Tokens were issued, or a usable access token was given.</summary>
    Success,

    /// <summary>The request has no signed-in user.</summary>
    NotAuthenticated,

    /// <summary>The user signed in without saved Wikimedia tokens (<c>SaveTokens</c> off, or not through Wikimedia).</summary>
    NoToken,

    /// <summary>
    /// The session's access token has expired and could not be refreshed yet (Wikimedia failing, the back-off after a
    /// failure, or a refresh the server refuses for this consumer). The session goes on; a later request tries again.
    /// </summary>
    Expired,

    /// <summary>
    /// The token endpoint failed in a way that may pass: no answer, a time-out, HTTP 408, 429 or 5xx, a malformed
    /// answer, or the coordination of refreshes being unavailable. The session keeps its tokens and tries again later.
    /// </summary>
    Unavailable,

    /// <summary>
    /// The token endpoint refused the request for a reason that trying again will not fix (<c>invalid_client</c>,
    /// <c>unauthorized_client</c>, a 400 <c>invalid_request</c>): a configuration problem, not the user's grant.
    /// </summary>
    Refused,

    /// <summary>
    /// The grant is gone: Wikimedia refused the refresh token (revoked, expired or reused; <c>invalid_grant</c>, or
    /// <c>401 invalid_request</c> on MediaWiki 1.39), and the session ends.
    /// </summary>
    SessionEnded,
}
