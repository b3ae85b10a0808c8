using System.Collections.Concurrent;
using AspNet.Security.OAuth.Wikimedia.Diagnostics;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Coordinates refreshes within one process: one token request per refresh token, shared by every request that
/// waits for it; a success is remembered for <see cref="SuccessRetention"/> so that requests still carrying the
/// pre-refresh cookie get the rotated tokens instead of spending the revoked refresh token.
/// </summary>
/// <remarks>
/// Completion is recorded by the refresh itself, not by its waiters, so an entry whose every waiter went away
/// (the browser closed the connection) is still forgotten in time. A failed or faulted refresh is forgotten at once.
/// Refreshes are cancelled only when the coordinator is disposed, with the application's services.
/// </remarks>
internal sealed class InProcessTokenRefreshCoordinator(TimeProvider time, WikimediaTokenMetrics metrics) : IWikimediaTokenRefreshCoordinator, IDisposable
{
    /// <summary>How long a success is remembered: longer than any request in flight when it completed.</summary>
    public static readonly TimeSpan SuccessRetention = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private long _nextPurgeTicks;

    /// <summary>How many refreshes are in flight or remembered (for tests of the memory bound).</summary>
    public int Count => _entries.Count;

    public async Task<WikimediaTokenResult> RefreshAsync(
        string sessionKey, Func<CancellationToken, Task<WikimediaTokenResult>> refresh, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionKey);
        ArgumentNullException.ThrowIfNull(refresh);
        Purge(force: false);
        var created = new Entry(sessionKey, refresh, this);
        var entry = _entries.GetOrAdd(sessionKey, created);
        if (entry == created)
        {
            return await entry.Start().WaitAsync(cancellationToken);
        }

        metrics.Coalesced();
        return await entry.Start().WaitAsync(cancellationToken) with { Adopted = true };
    }

    /// <summary>Cancels the refreshes in flight. The source is not disposed: a refresh that starts during shutdown
    /// still reads its (cancelled) token.</summary>
    public void Dispose() => _stopping.Cancel();

    /// <summary>Drops the successes older than <see cref="SuccessRetention"/>; at most every 30 s unless forced.</summary>
    internal void Purge(bool force)
    {
        var now = time.GetUtcNow();
        var next = Interlocked.Read(ref _nextPurgeTicks);
        if (!force && (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextPurgeTicks, (now + TimeSpan.FromSeconds(30)).UtcTicks, next) != next))
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (entry.CompletedAt is { } completed && now - completed >= SuccessRetention)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private void Ended(string key, Entry entry, bool succeeded)
    {
        if (succeeded)
        {
            entry.CompletedAt = time.GetUtcNow();
        }
        else
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
    }

    /// <summary>
    /// One refresh, started by the first caller only; never cancelled by a waiter going away. It records its own end
    /// before its waiters see it: a success is kept for <see cref="SuccessRetention"/>, a failure or a fault is
    /// forgotten at once (failures are shared only while in flight; the next request may try again after the
    /// session's back-off).
    /// </summary>
    private sealed class Entry
    {
        private readonly Lazy<Task<WikimediaTokenResult>> _task;
        private long _completedTicks;

        public Entry(string key, Func<CancellationToken, Task<WikimediaTokenResult>> refresh, InProcessTokenRefreshCoordinator owner)
            => _task = new(() => Task.Run(async () =>
            {
                var succeeded = false;
                try
                {
                    var result = await refresh(owner._stopping.Token);
                    succeeded = result.Succeeded;
                    return result;
                }
                finally
                {
                    owner.Ended(key, this, succeeded);
                }
            }));

        /// <summary>When the refresh succeeded; written by the refresh, read by purges on other threads.</summary>
        public DateTimeOffset? CompletedAt
        {
            get => Interlocked.Read(ref _completedTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
            set => Interlocked.Exchange(ref _completedTicks, value?.UtcTicks ?? 0);
        }

        public Task<WikimediaTokenResult> Start() => _task.Value;
    }
}
