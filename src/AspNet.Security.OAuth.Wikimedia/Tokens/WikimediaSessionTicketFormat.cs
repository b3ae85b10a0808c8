using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// The cookie's ticket format for Wikimedia sessions: it writes their tickets with the newest tokens this process
/// knows for the session, and compressed, and hands every other ticket to the app's own format unchanged.
/// </summary>
/// <remarks>
/// <para>Newest tokens: a slow request that read the cookie before another request refreshed the tokens would
/// otherwise renew the cookie (sliding expiration) with the spent ones.</para>
/// <para>Compressed (<see cref="CompactTicket"/>): tokens and an administrator's claims would take the cookie past the
/// 4,096 bytes of one cookie. Compressed tickets start with <see cref="Prefix"/>; anything else is read by the app's
/// format, so cookies written before stay valid.</para>
/// <para>With server-side sessions (Sessions/DistributedSessionStore.cs) the cookie's ticket holds only the session
/// reference, which is no Wikimedia session: it goes to the app's format, and the store keeps the session compressed.</para>
/// </remarks>
internal sealed class WikimediaSessionTicketFormat(
    ISecureDataFormat<AuthenticationTicket> inner, IDataProtector protector, RotationLedger ledger, IOptionsMonitor<WikimediaAuthenticationOptions> wikimediaOptions)
    : ISecureDataFormat<AuthenticationTicket>
{
    /// <summary>Marks a compressed Wikimedia ticket (base64url never contains a period).</summary>
    public const string Prefix = "w1.";

    /// <summary>The purpose that separates these tickets' protector from the cookie handler's own.</summary>
    public const string Purpose = "AspNet.Security.OAuth.Wikimedia.SessionTicket.v1";

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

        return Prefix + WebEncoders.Base64UrlEncode(For(purpose).Protect(CompactTicket.Compress(data)));
    }

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || !protectedText.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return inner.Unprotect(protectedText, purpose);
        }

        try
        {
            return CompactTicket.Decompress(For(purpose).Unprotect(WebEncoders.Base64UrlDecode(protectedText, Prefix.Length, protectedText.Length - Prefix.Length)));
        }
        catch (Exception ex) when (CompactTicket.IsUnreadable(ex))
        {
            // As the framework's format does: a tampered, truncated or foreign cookie is no session, not an error.
            return null;
        }
    }

    private IDataProtector For(string? purpose) => purpose is null ? protector : protector.CreateProtector(purpose);
}
