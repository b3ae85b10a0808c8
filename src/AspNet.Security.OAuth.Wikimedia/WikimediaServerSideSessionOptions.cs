namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Options of server-side sessions (<c>AddWikimediaServerSideSessions</c>), named by the cookie scheme they apply to.
/// </summary>
public class WikimediaServerSideSessionOptions
{
    /// <summary>
    /// Gets or sets the prefix of the sessions' keys in the distributed cache, followed by a random reference. Set one
    /// per app when several apps share one cache without a prefix of the cache's own (Redis's <c>InstanceName</c>).
    /// Default value: <c>wikimedia:session:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "wikimedia:session:";

    /// <summary>
    /// Gets or sets the longest a request waits for the distributed cache (a read, a write or a removal), in real time.
    /// Past it the call counts as failed: a read makes the request anonymous, a new session fails its sign-in, both
    /// with a log line (docs/production.md). Without it, a request waits as long as the cache client does when the
    /// cache is gone (StackExchange.Redis: its 5 s <c>syncTimeout</c>, for every request). <see cref="Timeout.InfiniteTimeSpan"/>
    /// leaves the cache client's own time-outs alone. Default value: two seconds.
    /// </summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
