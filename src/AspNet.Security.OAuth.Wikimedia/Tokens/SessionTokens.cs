using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Reads and writes what the session keeps about its tokens in <see cref="AuthenticationProperties"/> (so in the
/// cookie, or in the server-side ticket store): the tokens themselves, and a little bookkeeping for refresh.
/// </summary>
/// <remarks>
/// The refresh check runs on every authenticated request, so its state is one compact item that answers
/// "nothing to do" with one lookup and one integer parse: <c>{next check, Unix ms}|{scheme}</c>.
/// </remarks>
internal static class SessionTokens
{
    /// <summary>When to look at the tokens next, and which Wikimedia scheme issued them; marks a refreshable session.</summary>
    public const string StateItem = ".wikimedia";

    /// <summary>When the tokens were last refreshed (ISO 8601); absent until the first refresh.</summary>
    public const string RefreshedAtItem = ".wikimedia.refreshed";

    /// <summary>How many refreshes in a row failed; while present, the next check time is a back-off.</summary>
    public const string FailuresItem = ".wikimedia.failures";

    /// <summary>The next-check time of a session whose refresh the server refused for good.</summary>
    public static readonly DateTimeOffset Never = DateTimeOffset.MaxValue;

    public static bool TryReadState(AuthenticationProperties properties, out string scheme, out DateTimeOffset nextCheck)
    {
        scheme = "";
        nextCheck = default;
        if (!properties.Items.TryGetValue(StateItem, out var state) || state is null)
        {
            return false;
        }

        var separator = state.IndexOf('|', StringComparison.Ordinal);
        if (separator <= 0 || !long.TryParse(state.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return false;
        }

        scheme = state[(separator + 1)..];
        nextCheck = milliseconds >= Never.ToUnixTimeMilliseconds() ? Never : DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }

    public static void WriteState(AuthenticationProperties properties, string scheme, DateTimeOffset nextCheck)
        => properties.Items[StateItem] = nextCheck.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "|" + scheme;

    /// <summary>
    /// When a token issued at <paramref name="issuedAt"/> is due: <paramref name="lead"/> before it expires, but never
    /// earlier than half-way through its lifetime, so that short-lived tokens are not refreshed on every request.
    /// </summary>
    public static DateTimeOffset DueAt(DateTimeOffset issuedAt, DateTimeOffset? expiresAt, TimeSpan lead)
    {
        if (expiresAt is not { } expiry)
        {
            return Never;
        }

        var half = (expiry - issuedAt) / 2;
        return expiry - (lead < half ? lead : half);
    }

    /// <summary>When a token issued at <paramref name="issuedAt"/> expires, from the token response's <c>expires_in</c>
    /// (never the JWT's <c>exp</c>: wikimedia-oauth2.md section 5); null when the server sent none.</summary>
    public static DateTimeOffset? ExpiresAt(DateTimeOffset issuedAt, string? expiresIn)
        => double.TryParse(expiresIn, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? issuedAt.AddSeconds(seconds) : null;

    public static DateTimeOffset? ExpiresAt(AuthenticationProperties properties)
        => DateTimeOffset.TryParse(properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;

    public static DateTimeOffset? RefreshedAt(AuthenticationProperties properties)
        => properties.Items.TryGetValue(RefreshedAtItem, out var value) &&
           DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;

    /// <summary>Replaces the stored tokens with the refreshed ones, keeping the old refresh token when none came back.</summary>
    public static void Store(AuthenticationProperties properties, string scheme, WikimediaTokenRefreshResult result, TimeSpan lead)
    {
        var tokens = properties.GetTokens().ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
        tokens["access_token"] = result.AccessToken!;
        if (!string.IsNullOrEmpty(result.RefreshToken))
        {
            tokens["refresh_token"] = result.RefreshToken;
        }

        if (!string.IsNullOrEmpty(result.TokenType))
        {
            tokens["token_type"] = result.TokenType;
        }

        if (result.ExpiresAt is { } expiresAt)
        {
            tokens["expires_at"] = expiresAt.ToString("o", CultureInfo.InvariantCulture);
        }
        else
        {
            tokens.Remove("expires_at");
        }

        properties.StoreTokens(tokens.Select(t => new AuthenticationToken { Name = t.Key, Value = t.Value }));
        properties.Items[RefreshedAtItem] = result.IssuedAt.ToString("o", CultureInfo.InvariantCulture);
        properties.Items.Remove(FailuresItem);
        WriteState(properties, scheme, DueAt(result.IssuedAt, result.ExpiresAt, lead));
    }

    /// <summary>A key for the refresh token being spent that reveals nothing of it: a truncated SHA-256.</summary>
    public static string KeyOf(string scheme, string refreshToken)
        => scheme + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)).AsSpan(0, 16));
}
