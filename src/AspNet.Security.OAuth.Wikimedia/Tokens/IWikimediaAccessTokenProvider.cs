using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Gives the signed-in user's Wikimedia access token, refreshed first when it is due.
/// </summary>
public interface IWikimediaAccessTokenProvider
{
    /// <summary>
    /// Gets the access token of the user of <paramref name="context"/>.
    /// </summary>
    /// <param name="context">The current request.</param>
    /// <param name="forceRefresh">Refresh even if the token looks valid, for example after the API answered 401.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The token, or a result that says why there is none. Never throws for an expected outcome.</returns>
    Task<WikimediaTokenResult> GetAccessTokenAsync(HttpContext context, bool forceRefresh = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets a token to retry with after an API refused <paramref name="rejectedAccessToken"/> (401): the session's
    /// current token when it is already another one (a concurrent request refreshed it), else a refreshed one. A
    /// session is force-refreshed at most once a minute, so an API that keeps refusing cannot cause a refresh storm.
    /// </summary>
    /// <param name="context">The current request.</param>
    /// <param name="rejectedAccessToken">The access token that the API refused.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The token (possibly the rejected one, when no newer could be had), or why there is none.</returns>
    Task<WikimediaTokenResult> GetAccessTokenAfterRejectionAsync(HttpContext context, string rejectedAccessToken, CancellationToken cancellationToken = default);
}
