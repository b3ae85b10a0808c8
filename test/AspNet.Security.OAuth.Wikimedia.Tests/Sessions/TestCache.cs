using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sessions;

/// <summary>
/// A real <see cref="MemoryDistributedCache"/> on the test's clock, which can be made to fail like a Redis that went
/// away: every call (<see cref="Down"/>) or only writes (<see cref="WritesFail"/>), or hang as one that no longer
/// answers (<see cref="Hangs"/>: asynchronous calls never complete).
/// </summary>
public sealed class TestCache(TimeProvider time) : IDistributedCache
{
    private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions { Clock = new Clock(time) }));

    public bool Down { get; set; }

    public bool WritesFail { get; set; }

    public bool Hangs { get; set; }

    public byte[]? Get(string key) => Read(() => _inner.Get(key));

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Hangs ? Never<byte[]?>() : Read(() => _inner.GetAsync(key, token));

    public void Refresh(string key) => Read(() => { _inner.Refresh(key); return 0; });

    public Task RefreshAsync(string key, CancellationToken token = default) => Read(() => _inner.RefreshAsync(key, token));

    public void Remove(string key) => Write(() => { _inner.Remove(key); return 0; });

    public Task RemoveAsync(string key, CancellationToken token = default) => Hangs ? Never<int>() : Write(() => _inner.RemoveAsync(key, token));

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Write(() => { _inner.Set(key, value, options); return 0; });

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        => Hangs ? Never<int>() : Write(() => _inner.SetAsync(key, value, options, token));

    private static Task<T> Never<T>() => new TaskCompletionSource<T>().Task;

    private T Read<T>(Func<T> call) => Down ? throw Unavailable() : call();

    private T Write<T>(Func<T> call) => Down || WritesFail ? throw Unavailable() : call();

    private static CacheUnavailableException Unavailable() => new("The test cache is down (as a Redis that went away).");

    private sealed class Clock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}

/// <summary>What <see cref="TestCache"/> throws while down.</summary>
public sealed class CacheUnavailableException(string message) : Exception(message);
