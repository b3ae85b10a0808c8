namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis;

/// <summary>
/// Options of the Redis refresh coordinator (<c>AddWikimediaRedisRefreshCoordinator</c>).
/// </summary>
public class WikimediaRedisRefreshCoordinatorOptions
{
    /// <summary>
    /// Gets or sets the prefix of the coordinator's Redis keys and channel. Give each app its own when several share
    /// one Redis database. Default value: <c>wikimedia:refresh:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "wikimedia:refresh:";

    /// <summary>
    /// Gets or sets how long a refresh's lease lasts unless its holder extends it (it does, every third of it, while
    /// the refresh runs): the longest that an instance which stopped in the middle of a refresh keeps the session's
    /// other requests waiting before one of them takes over. At least one second. Default value: 10 seconds.
    /// </summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how long a successful refresh's result is kept in Redis, encrypted, for requests of the session
    /// that still carry the tokens it replaced (they adopt it instead of spending the rotated refresh token). A failure
    /// is kept for a few seconds only, for the requests that waited for it. Default value: 2 minutes.
    /// </summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets whether, while Redis cannot be reached, refreshes go on coordinated within each instance only.
    /// Default value: <c>false</c>: the session keeps its current access token and tries again after the usual
    /// back-off, so that two instances never spend one refresh token, which a server without a grace period for
    /// rotated refresh tokens (MediaWiki 1.39) answers by ending the session. Set it when the server has such a grace
    /// period (Wikimedia keeps a rotated refresh token usable for 600 seconds) and API calls must go on through a long
    /// outage.
    /// </summary>
    public bool RefreshLocallyWhenUnavailable { get; set; }
}
