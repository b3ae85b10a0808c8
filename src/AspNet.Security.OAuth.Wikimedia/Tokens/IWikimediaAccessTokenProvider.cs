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
    Task<WikimediaAccessTokenResult> GetAccessTokenAsync(HttpContext context, bool forceRefresh = false, CancellationToken cancellationToken = default);
}
