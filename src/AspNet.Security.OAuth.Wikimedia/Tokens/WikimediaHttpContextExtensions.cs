using AspNet.Security.OAuth.Wikimedia;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Http;

/// <summary>
/// Gets the signed-in user's Wikimedia access token from a request.
/// </summary>
public static class WikimediaHttpContextExtensions
{
    /// <summary>
    /// Gets the access token of the signed-in user, refreshed first when it is due, or a result that says why there
    /// is none. The one call an app needs to call Wikimedia APIs as the user.
    /// </summary>
    /// <param name="context">The current request.</param>
    /// <param name="forceRefresh">Refresh even if the token looks valid (after the API answered 401).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The token result.</returns>
    public static Task<WikimediaTokenResult> GetWikimediaAccessTokenAsync(this HttpContext context, bool forceRefresh = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetRequiredService<IWikimediaAccessTokenProvider>().GetAccessTokenAsync(context, forceRefresh, cancellationToken);
    }
}
