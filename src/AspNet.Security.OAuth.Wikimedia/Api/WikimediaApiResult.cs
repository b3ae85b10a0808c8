using System.Net;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>How an API call ended.</summary>
public enum WikimediaApiStatus
{
    /// <summary>The API answered with the value.</summary>
    Success,

    /// <summary>There is no signed-in user with a usable token; see <see cref="WikimediaApiResult{T}.TokenStatus"/>.</summary>
    NotAuthenticated,

    /// <summary>The API refused the token even after one refresh (401).</summary>
    Unauthorized,

    /// <summary>The token lacks a grant, or was revoked (403).</summary>
    Forbidden,

    /// <summary>No such page or route (404).</summary>
    NotFound,

    /// <summary>Too many requests (429); see <see cref="WikimediaApiResult{T}.RetryAfter"/>. Not retried.</summary>
    RateLimited,

    /// <summary>Any other failure: a 5xx, an HTML error page, a malformed body, a time-out or a refused connection.</summary>
    Failed,

    /// <summary>
    /// An edit was refused because the page changed since the revision it was based on, or a page to be created exists
    /// already (409). Nothing was saved: read the page again and merge.
    /// </summary>
    EditConflict,

    /// <summary>
    /// The user, through this token, may not do this: the consumer lacks the grant (<c>editpage</c>, or
    /// <c>createeditmovepage</c> to create pages), or the user is blocked (MediaWiki answers 400 <c>permissiondenied</c>,
    /// <c>blocked</c>, ...; see <see cref="WikimediaApiResult{T}.ErrorCode"/>). Signing in again does not help.
    /// </summary>
    PermissionDenied,

    /// <summary>The page is protected against editing by this user (403 to an edit). Nothing was saved.</summary>
    Protected,
}

/// <summary>
/// The outcome of a typed Wikimedia API call: a value, or why there is none. Expected outcomes are results, not exceptions.
/// </summary>
/// <typeparam name="T">The value's type.</typeparam>
public sealed record WikimediaApiResult<T>
{
    /// <summary>Gets how the call ended.</summary>
    public required WikimediaApiStatus Status { get; init; }

    /// <summary>Gets whether the call succeeded.</summary>
    public bool Succeeded => Status == WikimediaApiStatus.Success;

    /// <summary>Gets the value of a successful call.</summary>
    public T? Value { get; init; }

    /// <summary>Gets the HTTP status, when the API answered.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>Gets how long to wait before trying again, from <c>Retry-After</c>, for <see cref="WikimediaApiStatus.RateLimited"/>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets why there was no token, for <see cref="WikimediaApiStatus.NotAuthenticated"/>; <see cref="WikimediaTokenStatus.Success"/> otherwise.</summary>
    public WikimediaTokenStatus TokenStatus { get; init; }

    /// <summary>Gets a description of a failure, without token values.</summary>
    public string? Message { get; init; }

    /// <summary>
    /// Gets MediaWiki's error code, when the answer names one (<c>actionModuleErrorCode</c>, <c>errorKey</c> or
    /// <c>error</c>: <c>permissiondenied</c>, <c>rest-read-denied</c>, ...); null otherwise, as for most answers of MediaWiki 1.39.
    /// </summary>
    public string? ErrorCode { get; init; }
}
