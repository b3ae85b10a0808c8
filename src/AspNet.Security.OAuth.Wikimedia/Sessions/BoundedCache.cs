using Microsoft.Extensions.Caching.Distributed;

namespace AspNet.Security.OAuth.Wikimedia.Sessions;

/// <summary>
/// The app's <see cref="IDistributedCache"/> as the session store uses it: each asynchronous call gives up after
/// <c>WikimediaServerSideSessionOptions.StoreTimeout</c> with a <see cref="TimeoutException"/>, so that a cache that
/// went away costs a request that long rather than whatever its client waits (StackExchange.Redis waits 5 s).
/// The call itself is not cancelled (a cache client need not support it); only the request stops waiting for it.
/// </summary>
internal sealed class BoundedCache(IDistributedCache inner, TimeSpan timeout) : IDistributedCache
{
    public byte[]? Get(string key) => inner.Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Bounded(inner.GetAsync(key, token), token);

    public void Refresh(string key) => inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => Bounded(inner.RefreshAsync(key, token), token);

    public void Remove(string key) => inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => Bounded(inner.RemoveAsync(key, token), token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        => Bounded(inner.SetAsync(key, value, options, token), token);

    private Task<T> Bounded<T>(Task<T> call, CancellationToken token)
        => timeout == Timeout.InfiniteTimeSpan ? call : call.WaitAsync(timeout, token);

    private Task Bounded(Task call, CancellationToken token)
        => timeout == Timeout.InfiniteTimeSpan ? call : call.WaitAsync(timeout, token);
}
