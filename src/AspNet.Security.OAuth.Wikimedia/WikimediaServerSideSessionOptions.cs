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
}
