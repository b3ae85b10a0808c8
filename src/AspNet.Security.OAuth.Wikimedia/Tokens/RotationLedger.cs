using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Remembers, per session, the newest tokens this process obtained, so that a request carrying an older cookie
/// (written by a slow request that started before a refresh, or still in a browser that was offline) adopts them
/// instead of spending a refresh token that the rotation has already revoked.
/// </summary>
/// <remarks>
/// An old cookie can come back as long as the session lives, so entries are kept for <see cref="Retention"/>;
/// memory is bounded by <see cref="Capacity"/> sessions (about 4 KB each at the most), the oldest going first.
/// A session pushed out loses only this protection (an ended session's mark too). Sessions are named by the random id
/// given at sign-in.
/// </remarks>
internal sealed class RotationLedger(TimeProvider time)
{
    public const int Capacity = 10_000;

    public static readonly TimeSpan Retention = TimeSpan.FromDays(14);

    private readonly ConcurrentDictionary<string, Latest> _sessions = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Whether the ledger holds nothing: the per-request check stops here for most apps.</summary>
    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Records <paramref name="tokens"/> as generation <paramref name="generation"/> of the session, unless a newer one is known.</summary>
    public void Record(string sessionId, int generation, WikimediaTokenResult tokens)
    {
        var latest = new Latest(generation, tokens, time.GetUtcNow());
        while (true)
        {
            if (_sessions.TryGetValue(sessionId, out var known))
            {
                if (known.Generation >= generation || _sessions.TryUpdate(sessionId, latest, known))
                {
                    return;
                }
            }
            else if (_sessions.TryAdd(sessionId, latest))
            {
                if (Interlocked.Increment(ref _count) > Capacity)
                {
                    Trim();
                }

                return;
            }
        }
    }

    /// <summary>
    /// Marks a session that ended: signed out, or its refresh token refused by the server. Every other request, cookie
    /// copy and interactive circuit of the session then ends at once (<see cref="HasEnded"/>), instead of spending a
    /// dead refresh token again, going on with an access token the server may have revoked, or (a circuit still open
    /// after sign-out) refreshing and handing the new tokens to an old copy of the cookie. <see cref="Record"/> never
    /// replaces the mark.
    /// </summary>
    public void End(string sessionId)
    {
        var ended = new Latest(int.MaxValue, null, time.GetUtcNow());
        while (true)
        {
            if (_sessions.TryGetValue(sessionId, out var known))
            {
                if (_sessions.TryUpdate(sessionId, ended, known))
                {
                    return;
                }
            }
            else if (_sessions.TryAdd(sessionId, ended))
            {
                if (Interlocked.Increment(ref _count) > Capacity)
                {
                    Trim();
                }

                return;
            }
        }
    }

    /// <summary>Whether <see cref="End"/> marked the session.</summary>
    public bool HasEnded(string sessionId)
        => _sessions.TryGetValue(sessionId, out var latest) && latest.Tokens is null && time.GetUtcNow() - latest.RecordedAt < Retention;

    /// <summary>Whether a newer generation than the session's own is known, or the session ended: the per-request check, allocation-free.</summary>
    public bool HasNewer(AuthenticationProperties properties)
        => !IsEmpty &&
           SessionState.TryReadIdentity(properties, out var generation, out var sessionId) &&
           _sessions.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(sessionId, out var latest) &&
           latest.Generation > generation;

    /// <summary>The newest tokens known for the session when they are newer than its own generation.</summary>
    public bool TryGetNewer(in SessionState state, out int generation, out WikimediaTokenResult tokens)
    {
        if (_sessions.TryGetValue(state.SessionId, out var latest) && latest.Tokens is not null && latest.Generation > state.Generation &&
            time.GetUtcNow() - latest.RecordedAt < Retention)
        {
            generation = latest.Generation;
            tokens = latest.Tokens;
            return true;
        }

        generation = 0;
        tokens = null!;
        return false;
    }

    /// <summary>Drops expired entries, then the oldest, down to nine tenths of the capacity (so trimming is rare).</summary>
    private void Trim()
    {
        var now = time.GetUtcNow();
        var keep = Capacity * 9 / 10;
        var byAge = _sessions.ToArray().OrderBy(e => e.Value.RecordedAt).ToArray();
        var excess = byAge.Length - keep;
        foreach (var (id, latest) in byAge)
        {
            if (excess <= 0 && now - latest.RecordedAt < Retention)
            {
                break;
            }

            if (_sessions.TryRemove(new KeyValuePair<string, Latest>(id, latest)))
            {
                Interlocked.Decrement(ref _count);
                excess--;
            }
        }
    }

    /// <summary>The newest generation known for a session, or (no <paramref name="Tokens"/>) the mark of an ended session.</summary>
    private sealed record Latest(int Generation, WikimediaTokenResult? Tokens, DateTimeOffset RecordedAt);
}
