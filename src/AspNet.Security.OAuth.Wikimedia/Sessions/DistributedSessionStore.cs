using System.Security.Cryptography;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Sessions;

/// <summary>
/// The cookie scheme's <see cref="ITicketStore"/> for server-side sessions: the whole ticket (claims, tokens, refresh
/// bookkeeping) lives in an <see cref="IDistributedCache"/>, compressed and encrypted; the cookie holds only a random
/// reference to it.
/// </summary>
/// <remarks>
/// <para>Each entry expires with its ticket (<see cref="AuthenticationProperties.ExpiresUtc"/>, which the cookie handler
/// moves forward on sliding renewal) and is removed at sign-out. It is encrypted with a protector of its own purpose,
/// scheme and reference, so that an entry copied under another reference does not decrypt.</para>
/// <para>A renewal never takes a session back a generation: a request that read the session before another refreshed
/// its tokens may renew it afterwards (sliding expiration), and would otherwise store the spent refresh token. Nor does
/// it bring back a session that is gone (signed out in another tab, or expired).</para>
/// <para>A cache that fails is not an error page: a read makes the request anonymous, a renewal or removal is logged
/// and skipped; only a new session that cannot be stored fails its sign-in (<see cref="SessionStoreUnavailableException"/>).</para>
/// </remarks>
internal sealed partial class DistributedSessionStore(
    string scheme,
    string keyPrefix,
    IDistributedCache cache,
    IDataProtector protector,
    IOptionsMonitor<CookieAuthenticationOptions> cookieOptions,
    IOptionsMonitor<WikimediaAuthenticationOptions> wikimediaOptions,
    RotationLedger ledger,
    TimeProvider time,
    ILogger<DistributedSessionStore> logger) : ITicketStore
{
    /// <summary>The <see cref="HttpContext.Items"/> key under which a request keeps the reference the store failed to read.</summary>
    private readonly object _unread = new();

    /// <summary>The purpose of the entries' protector, distinct from the cookie's.</summary>
    public const string Purpose = "AspNet.Security.OAuth.Wikimedia.ServerSideSession.v1";

    /// <summary>The <see cref="AuthenticationProperties.Parameters"/> entry (never serialized) naming the stored session a request read.</summary>
    private const string StoredSessionParameter = ".wikimedia.stored-session";

    /// <summary>The cookie scheme whose sessions this store keeps.</summary>
    public string Scheme => scheme;

    /// <summary>The cache key of a session reference.</summary>
    public string CacheKey(string key) => keyPrefix + key;

    /// <summary>The session a request read from a store of this kind, so that a token refresh can update it in place.</summary>
    public static bool TryGetStored(AuthenticationProperties properties, out DistributedSessionStore store, out string key)
    {
        if (properties.Parameters.TryGetValue(StoredSessionParameter, out var value) && value is StoredSession stored)
        {
            (store, key) = (stored.Store, stored.Key);
            return true;
        }

        (store, key) = (null!, null!);
        return false;
    }

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        // 128 random bits: the reference is also protected by the cookie's encryption, so it cannot be guessed or forged.
        var key = Base64UrlTextEncoder.Encode(RandomNumberGenerator.GetBytes(16));
        try
        {
            await WriteAsync(key, ticket);
        }
        catch (Exception ex)
        {
            Log.StoreFailed(logger, scheme, ex.GetType().FullName, ex);
            throw new SessionStoreUnavailableException(
                $"The session of cookie scheme '{scheme}' could not be stored: the distributed cache failed ({ex.GetType().Name}). See the log for the cause.", ex);
        }

        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    /// <remarks>Not cancelled by <paramref name="cancellationToken"/>: a browser that goes away must not leave the
    /// session with tokens that a refresh in this request has already rotated.</remarks>
    public async Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(ticket);
        try
        {
            if (await ReadAsync(key, CancellationToken.None) is not { } current)
            {
                Log.RenewedSessionGone(logger, scheme);
                return;
            }

            if (SessionTokens.IsLaterGeneration(current.Properties, ticket.Properties))
            {
                SessionTokens.AdoptFrom(ticket.Properties, current.Properties);
                Log.KeptNewerTokens(logger, scheme);
            }

            if (SessionState.TryRead(ticket.Properties, out var state) && ledger.TryGetNewer(state, out var generation, out var tokens))
            {
                SessionTokens.StoreRefresh(ticket.Properties, state, tokens, generation, wikimediaOptions.Get(state.Scheme).RefreshBeforeExpiration);
            }

            await WriteAsync(key, ticket);
        }
        catch (Exception ex)
        {
            Log.RenewFailed(logger, scheme, ex.GetType().FullName, ex);
        }
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, httpContext: null, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, httpContext: null, cancellationToken);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var (failed, ticket) = await ReadStoredAsync(key, cancellationToken);
        if (failed)
        {
            // The cookie stays: when the cache is back, so is the session.
            httpContext?.Items[_unread] = key;
        }

        return ticket;
    }

    /// <summary>
    /// Reads the stored session, telling a session that is gone (signed out, expired: no ticket) from a store that
    /// failed (<c>Failed</c>, logged), where a request keeps its cookie and a circuit its copy.
    /// </summary>
    public async Task<(bool Failed, AuthenticationTicket? Ticket)> ReadStoredAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var ticket = await ReadAsync(key, cancellationToken);
            ticket?.Properties.Parameters[StoredSessionParameter] = new StoredSession(this, key);
            return (false, ticket);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ReadFailed(logger, scheme, ex.GetType().FullName, ex);
            return (true, null);
        }
    }

    /// <summary>
    /// Removes the session this request's cookie refers to when the store failed to read it: the cookie handler removes
    /// only sessions it read, and a sign-out must not leave the session behind without a word.
    /// </summary>
    public async Task RemoveUnreadAsync(HttpContext httpContext)
    {
        if (httpContext.Items.TryGetValue(_unread, out var key) && key is string unread)
        {
            httpContext.Items.Remove(_unread);
            await RemoveAsync(unread, CancellationToken.None);
        }
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    /// <remarks>Not cancelled by <paramref name="cancellationToken"/>: a sign-out must not be left half done.</remarks>
    public async Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        try
        {
            await cache.RemoveAsync(CacheKey(key), CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.RemoveFailed(logger, scheme, ex.GetType().FullName, ex);
        }
    }

    /// <summary>The ticket kept under <paramref name="key"/>; null when there is none or it does not decrypt.</summary>
    private async Task<AuthenticationTicket?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var entry = await cache.GetAsync(CacheKey(key), cancellationToken);
        if (entry is null)
        {
            return null;
        }

        try
        {
            return CompactTicket.Decompress(For(key).Unprotect(entry));
        }
        catch (Exception ex) when (CompactTicket.IsUnreadable(ex))
        {
            // Tampered with, copied from another reference, or encrypted with a key this key ring does not hold.
            Log.Unreadable(logger, scheme);
            return null;
        }
    }

    private async Task WriteAsync(string key, AuthenticationTicket ticket)
    {
        var now = time.GetUtcNow();
        var expiresAt = ticket.Properties.ExpiresUtc ?? now + cookieOptions.Get(scheme).ExpireTimeSpan;
        if (expiresAt <= now)
        {
            await cache.RemoveAsync(CacheKey(key), CancellationToken.None);
            return;
        }

        // Relative to now, not absolute: the cache's clock (Redis's) need not agree with this server's.
        await cache.SetAsync(
            CacheKey(key),
            For(key).Protect(CompactTicket.Compress(ticket)),
            new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = expiresAt - now },
            CancellationToken.None);
    }

    private IDataProtector For(string key) => protector.CreateProtector(key);

    private sealed record StoredSession(DistributedSessionStore Store, string Key);

    private static partial class Log
    {
        [LoggerMessage(50, LogLevel.Error, "The server-side session store of cookie scheme '{Scheme}' could not be read ({ExceptionType}): the request continues " +
            "anonymous, and the session comes back when the distributed cache does. Check the cache (Redis) and its connection.")]
        public static partial void ReadFailed(ILogger logger, string scheme, string? exceptionType, Exception exception);

        [LoggerMessage(51, LogLevel.Error, "A new session of cookie scheme '{Scheme}' could not be stored in the distributed cache ({ExceptionType}): the sign-in fails. " +
            "Check the cache (Redis) and its connection.")]
        public static partial void StoreFailed(ILogger logger, string scheme, string? exceptionType, Exception exception);

        [LoggerMessage(52, LogLevel.Error, "A session of cookie scheme '{Scheme}' could not be updated in the distributed cache ({ExceptionType}): the request goes on, " +
            "the stored session keeps its previous expiry and tokens.")]
        public static partial void RenewFailed(ILogger logger, string scheme, string? exceptionType, Exception exception);

        [LoggerMessage(53, LogLevel.Error, "A session of cookie scheme '{Scheme}' could not be removed from the distributed cache at sign-out ({ExceptionType}): " +
            "the cookie is deleted, but the stored session lives until it expires, and the old cookie with it.")]
        public static partial void RemoveFailed(ILogger logger, string scheme, string? exceptionType, Exception exception);

        [LoggerMessage(54, LogLevel.Warning, "A stored session of cookie scheme '{Scheme}' could not be decrypted (tampered with, or encrypted with a Data Protection key " +
            "this app does not have: do all instances share their keys?); the request continues anonymous.")]
        public static partial void Unreadable(ILogger logger, string scheme);

        [LoggerMessage(55, LogLevel.Debug, "A session of cookie scheme '{Scheme}' was not renewed: it is no longer stored (signed out or expired).")]
        public static partial void RenewedSessionGone(ILogger logger, string scheme);

        [LoggerMessage(56, LogLevel.Debug, "A renewal of a session of cookie scheme '{Scheme}' carried older tokens than the stored ones, which it kept.")]
        public static partial void KeptNewerTokens(ILogger logger, string scheme);
    }
}
