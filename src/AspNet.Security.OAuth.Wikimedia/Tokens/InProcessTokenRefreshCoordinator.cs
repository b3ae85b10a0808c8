using System.Collections.Concurrent;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Coordinates refreshes within one process: one token request per refresh token, shared by every request that
/// waits for it; a success is remembered for <see cref="SuccessRetention"/> so that requests still carrying the
/// pre-refresh cookie get the rotated tokens instead of spending the revoked refresh token.
/// </summary>
internal sealed class InProcessTokenRefreshCoordinator(TimeProvider time, WikimediaTokenMetrics metrics) : IWikimediaTokenRefreshCoordinator
{
    /// <summary>How long a success is remembered: longer than any request in flight when it completed.</summary>
    public static readonly TimeSpan SuccessRetention = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _nextPurgeTicks;

    public async Task<WikimediaTokenRefreshResult> RefreshAsync(
        string sessionKey, Func<CancellationToken, Task<WikimediaTokenRefreshResult>> refresh, CancellationToken cancellationToken)
    {
        PurgeOccasionally();
        var created = new Entry(refresh);
        var entry = _entries.GetOrAdd(sessionKey, created);
        if (entry != created)
        {
            metrics.Coalesced();
        }

        var result = await entry.Run().WaitAsync(cancellationToken);
        if (result.Succeeded)
        {
            entry.CompletedAt ??= time.GetUtcNow();
        }
        else
        {
            // Failures are shared only while in flight: the next request may try again (after the session's back-off).
            _entries.TryRemove(new KeyValuePair<string, Entry>(sessionKey, entry));
        }

        return result;
    }

    private void PurgeOccasionally()
    {
        var now = time.GetUtcNow();
        var next = Interlocked.Read(ref _nextPurgeTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextPurgeTicks, (now + TimeSpan.FromSeconds(30)).UtcTicks, next) != next)
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

    /// <summary>One refresh, started by the first caller only; never cancelled by a waiter going away.</summary>
    private sealed class Entry(Func<CancellationToken, Task<WikimediaTokenRefreshResult>> refresh)
    {
        private readonly Lazy<Task<WikimediaTokenRefreshResult>> _task = new(() => refresh(CancellationToken.None));

        public DateTimeOffset? CompletedAt { get; set; }

        public Task<WikimediaTokenRefreshResult> Run() => _task.Value;
    }
}
