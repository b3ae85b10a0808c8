using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// The cookie's ticket format, which before writing a ticket replaces its tokens with the newest this process knows
/// for its session. A slow request that read the cookie before another request refreshed the tokens would otherwise
/// renew the cookie (sliding expiration) with the spent ones.
/// </summary>
internal sealed class NewestTokensTicketFormat(
    ISecureDataFormat<AuthenticationTicket> inner, RotationLedger ledger, IOptionsMonitor<WikimediaAuthenticationOptions> wikimediaOptions)
    : ISecureDataFormat<AuthenticationTicket>
{
    public string Protect(AuthenticationTicket data) => Protect(data, purpose: null);

    public string Protect(AuthenticationTicket data, string? purpose)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (ledger.HasNewer(data.Properties) && SessionState.TryRead(data.Properties, out var state) &&
            ledger.TryGetNewer(state, out var generation, out var tokens))
        {
            SessionTokens.StoreRefresh(data.Properties, state, tokens, generation, wikimediaOptions.Get(state.Scheme).RefreshBeforeExpiration);
        }

        return inner.Protect(data, purpose);
    }

    public AuthenticationTicket? Unprotect(string? protectedText) => inner.Unprotect(protectedText);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose) => inner.Unprotect(protectedText, purpose);
}
