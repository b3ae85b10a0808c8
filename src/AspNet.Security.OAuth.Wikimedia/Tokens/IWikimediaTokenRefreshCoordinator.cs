namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Makes sure one session refreshes its tokens once at a time: concurrent requests of the session wait for the
/// refresh in flight and use its result, and requests that still carry the pre-refresh cookie shortly after get
/// the same result instead of spending the rotated (revoked) refresh token again.
/// </summary>
/// <remarks>
/// The default implementation coordinates within one process. A web farm replaces it with one that coordinates
/// across instances (register yours after <c>AddWikimedia()</c>, or use the StackExchangeRedis companion package).
/// </remarks>
public interface IWikimediaTokenRefreshCoordinator
{
    /// <summary>
    /// Runs <paramref name="refresh"/> for <paramref name="sessionKey"/> unless a refresh for the same key is in flight
    /// or recently succeeded, in which case its result is returned with <see cref="WikimediaTokenResult.Adopted"/> set.
    /// </summary>
    /// <param name="sessionKey">A key derived from the refresh token being spent; it holds no token value.</param>
    /// <param name="refresh">
    /// Calls the token endpoint. The coordinator runs it apart from the caller, so that one waiting request going away
    /// does not cancel the refresh the others wait for; the token it passes is the coordinator's own, cancelled only
    /// when the refresh must stop (the application is stopping). A refresh that is cancelled is a transient failure.
    /// </param>
    /// <param name="cancellationToken">Cancels this caller's wait, not the refresh.</param>
    /// <returns>
    /// The result of the refresh: as <paramref name="refresh"/> returned it to the caller that ran it, with
    /// <see cref="WikimediaTokenResult.Adopted"/> set for every other caller.
    /// </returns>
    Task<WikimediaTokenResult> RefreshAsync(
        string sessionKey, Func<CancellationToken, Task<WikimediaTokenResult>> refresh, CancellationToken cancellationToken);
}
