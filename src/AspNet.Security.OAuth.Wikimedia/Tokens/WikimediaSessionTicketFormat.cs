using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// The cookie's ticket format for Wikimedia sessions: it writes their tickets with the newest tokens this process
/// knows for the session, through the app's own format (and so its keys), compressed when they would not fit one
/// cookie otherwise, and hands every other ticket to that format unchanged.
/// </summary>
/// <remarks>
/// <para>Newest tokens: a slow request that read the cookie before another request refreshed the tokens would
/// otherwise renew the cookie (sliding expiration) with the spent ones.</para>
/// <para>Compressed (<see cref="CompactTicket"/>) only when needed: tokens and an administrator's claims take the cookie
/// past the 4,096 bytes of one cookie (4.7 KB; 3.5 KB compressed, measured by Sample/CookieSizeTests), but compressing
/// every session cost a sign-in 40 % more CPU than Microsoft's handler (docs/benchmarks.md). A session whose protected
/// text fits one cookie (<see cref="CompressAboveFor"/>) is written as the app's format writes it; a larger one is
/// compressed and carried in one item of a ticket that the app's format protects, so whatever key ring or format the
/// app configured still applies. A ticket without that item reads as it is.</para>
/// <para>With server-side sessions (Sessions/DistributedSessionStore.cs) the cookie's ticket holds only the session
/// reference, which is no Wikimedia session: it goes to the app's format, and the store keeps the session compressed.</para>
/// </remarks>
/// <param name="inner">The app's format, which protects every ticket this one writes.</param>
/// <param name="ledger">The newest tokens this process knows per session.</param>
/// <param name="wikimediaOptions">The Wikimedia schemes' options, for the refresh lead of adopted tokens.</param>
/// <param name="time">The clock of the decoded-ticket cache.</param>
/// <param name="compressAbove">The longest protected text written uncompressed (<see cref="CompressAboveFor"/>).</param>
internal sealed class WikimediaSessionTicketFormat(
    ISecureDataFormat<AuthenticationTicket> inner, RotationLedger ledger, IOptionsMonitor<WikimediaAuthenticationOptions> wikimediaOptions, TimeProvider time,
    int compressAbove)
    : ISecureDataFormat<AuthenticationTicket>
{
    /// <summary>The item of the carrier ticket that holds the compressed Wikimedia ticket.</summary>
    public const string CarrierItem = ".wikimedia.ticket.v1";

    /// <summary>
    /// The longest protected text that <paramref name="cookie"/>'s cookie carries in one piece: its cookie manager
    /// splits a cookie whose <c>Set-Cookie</c> header would reach its chunk size (4,050 characters by default) into
    /// chunks, and the header also holds the name and the attributes: expiry, path, domain, flags and the app's
    /// extensions, measured as the cookie manager measures them, with room for a path base when no path is set.
    /// </summary>
    public static int CompressAboveFor(CookieAuthenticationOptions cookie)
    {
        ArgumentNullException.ThrowIfNull(cookie);
        var builder = cookie.Cookie;
        var template = new Microsoft.Net.Http.Headers.SetCookieHeaderValue(
            builder.Name is { Length: > 0 } name ? name : CookieAuthenticationDefaults.CookiePrefix + CookieAuthenticationDefaults.AuthenticationScheme)
        {
            Domain = builder.Domain,
            Path = builder.Path ?? "/",
            Expires = DateTimeOffset.UnixEpoch, // every expiry is written in the same 29 characters
            MaxAge = builder.MaxAge,
            SameSite = Microsoft.Net.Http.Headers.SameSiteMode.None, // the longest
            Secure = true,
            HttpOnly = true,
        };
        foreach (var extension in builder.Extensions)
        {
            template.Extensions.Add(extension);
        }

        var size = cookie.CookieManager is ChunkingCookieManager { ChunkSize: { } chunkSize } ? chunkSize : ChunkingCookieManager.DefaultChunkSize;

        // ChunkingCookieManager keeps a cookie whole while its chunk size is greater than the header: hence the 1.
        return size - template.ToString().Length - (builder.Path is null ? PathBaseAllowance : 0) - 1;
    }

    /// <summary>Room for the request's path base, which is the cookie's path when the app set none.</summary>
    private const int PathBaseAllowance = 20;

    /// <summary>How many decoded sessions are kept: about 12 KB each (the cookie text and the ticket).</summary>
    public const int DecodedCapacity = 1_000;

    /// <summary>How long a decoded session is kept: a revoked Data Protection key stops its cookies this much later.</summary>
    public static readonly TimeSpan DecodedLifetime = TimeSpan.FromMinutes(1);

    // Decoding a Wikimedia cookie (decrypt, base64, Brotli, deserialize) is most of an authenticated request's cost
    // (docs/benchmarks.md), and a browser sends the same cookie with every request. Keyed by the exact cookie text,
    // which the app's format authenticated when it was first decoded; callers always get a copy, since they change
    // the ticket's properties (a refresh stores new tokens in them).
    private readonly ConcurrentDictionary<string, Decoded> _decoded = new(SampledKeyComparer.Instance);

    // About how many sessions _decoded holds (SetBounded).
    private int _decodedCount;

    // The cookies seen once in the last minute, by the sampled hash of their text, and when. A session is kept decoded
    // from its second request within DecodedLifetime on: keeping a copy costs more than the decoding it saves once (a
    // cookie text of 4 KB and a ticket held past a garbage collection), so a cookie seen once a minute or less (a user
    // who reads a page a minute) is decoded each time at a plain cookie's cost, not at that cost and the copy's.
    private readonly ConcurrentDictionary<int, long> _seenOnce = new();
    private int _seenOnceCount;

    public string Protect(AuthenticationTicket data) => Protect(data, purpose: null);

    public string Protect(AuthenticationTicket data, string? purpose)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!SessionState.TryRead(data.Properties, out var state))
        {
            return inner.Protect(data, purpose);
        }

        if (ledger.TryGetNewer(state, out var generation, out var tokens))
        {
            SessionTokens.StoreRefresh(data.Properties, state, tokens, generation, wikimediaOptions.Get(state.Scheme).RefreshBeforeExpiration);
        }

        var plain = inner.Protect(data, purpose);
        if (plain.Length <= compressAbove)
        {
            return plain;
        }

        var carrier = new AuthenticationTicket(
            new ClaimsPrincipal(),
            new AuthenticationProperties(new Dictionary<string, string?> { [CarrierItem] = WebEncoders.Base64UrlEncode(CompactTicket.Compress(data)) }),
            data.AuthenticationScheme);
        return inner.Protect(carrier, purpose);
    }

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        var now = time.GetTimestamp();
        if (purpose is null && protectedText is not null && _decoded.TryGetValue(protectedText, out var decoded) &&
            time.GetElapsedTime(decoded.At, now) < DecodedLifetime)
        {
            return decoded.Ticket.Clone();
        }

        var ticket = inner.Unprotect(protectedText, purpose);
        if (ticket is not null && ticket.Properties.Items.TryGetValue(CarrierItem, out var payload) && payload is not null)
        {
            try
            {
                ticket = CompactTicket.Decompress(WebEncoders.Base64UrlDecode(payload));
            }
            catch (Exception ex) when (CompactTicket.IsUnreadable(ex))
            {
                // As the framework's format does: a damaged cookie is no session, not an error (the payload was
                // authenticated by the app's format, so this is defence in depth).
                return null;
            }
        }

        if (ticket is null || purpose is not null || protectedText is null || !ticket.Properties.Items.ContainsKey(SessionState.Item))
        {
            return ticket;
        }

        if (!IsCacheable(protectedText))
        {
            return ticket;
        }

        var hash = SampledKeyComparer.Instance.GetHashCode(protectedText);
        if (!_seenOnce.TryGetValue(hash, out var seen) || time.GetElapsedTime(seen, now) >= DecodedLifetime)
        {
            SetBounded(_seenOnce, ref _seenOnceCount, DecodedCapacity * 10, hash, now);
            return ticket;
        }

        SetBounded(_decoded, ref _decodedCount, DecodedCapacity, protectedText, new Decoded(ticket, now));
        return ticket.Clone();
    }

    /// <summary>
    /// Sets an entry of a dictionary bounded the simple way: past <paramref name="capacity"/> additions it starts again
    /// (active sessions come back with their next requests). <paramref name="count"/> is kept apart because
    /// <see cref="ConcurrentDictionary{TKey, TValue}.Count"/> takes every lock of the dictionary.
    /// </summary>
    private static void SetBounded<TKey, TValue>(ConcurrentDictionary<TKey, TValue> dictionary, ref int count, int capacity, TKey key, TValue value)
        where TKey : notnull
    {
        if (Interlocked.Increment(ref count) > capacity)
        {
            dictionary.Clear();
            Interlocked.Exchange(ref count, 1);
        }

        dictionary[key] = value;
    }

    private sealed record Decoded(AuthenticationTicket Ticket, long At);

    /// <summary>The characters of a protected text as the app's format writes it (base64url).</summary>
    private static readonly System.Buffers.SearchValues<char> Base64Url =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>The longest cookie text kept: a chunked cookie (reassembled) is about 8 KB at most in practice.</summary>
    private const int MaxCachedLength = 16 * 1024;

    /// <summary>
    /// Only texts as the app's format writes them are kept: the format also accepts variants of one cookie (base64
    /// padding or whitespace it skips, percent-escapes the cookie parser decodes), with which one user could otherwise
    /// fill the cache with many large copies of one session and push every other user's out.
    /// </summary>
    private static bool IsCacheable(string protectedText)
        => protectedText.Length <= MaxCachedLength && !protectedText.AsSpan().ContainsAnyExcept(Base64Url);

    /// <summary>
    /// Ordinal equality, but a hash of about 256 of the key's characters (its ends and a stride through it) instead of
    /// all of them: a cookie is 3 to 4 KB, and hashing all of it was half of what a cache hit cost (docs/benchmarks.md).
    /// Only cookies the app's format authenticated are keys, and their protected bytes differ everywhere (the MAC at the
    /// end alone is unique), so sampled hashes do not collide in practice; a key sent to collide finds no equal entry,
    /// as before, and is never stored.
    /// </summary>
    internal sealed class SampledKeyComparer : IEqualityComparer<string>
    {
        public static readonly SampledKeyComparer Instance = new();

        private const int Ends = 64;
        private const int Strided = 128;

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string key)
        {
            ArgumentNullException.ThrowIfNull(key);
            if (key.Length <= (2 * Ends) + Strided)
            {
                return string.GetHashCode(key, StringComparison.Ordinal);
            }

            Span<char> sample = stackalloc char[(2 * Ends) + Strided];
            key.AsSpan(0, Ends).CopyTo(sample);
            key.AsSpan(key.Length - Ends).CopyTo(sample[Ends..]);
            var middle = key.AsSpan(Ends, key.Length - (2 * Ends));
            var step = middle.Length / Strided;
            for (var i = 0; i < Strided; i++)
            {
                sample[(2 * Ends) + i] = middle[i * step];
            }

            return HashCode.Combine(key.Length, string.GetHashCode(sample, StringComparison.Ordinal));
        }
    }
}
