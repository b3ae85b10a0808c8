using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Reads and writes what the session keeps about its tokens in <see cref="AuthenticationProperties"/> (so in the
/// cookie, or in the server-side ticket store): the tokens themselves, and a few items of bookkeeping.
/// </summary>
internal static class SessionTokens
{
    /// <summary>The Wikimedia scheme that issued the tokens; its presence marks a session this library refreshes.</summary>
    public const string SchemeItem = ".wikimedia.scheme";

    /// <summary>When the current access token was issued (ISO 8601), to bound the refresh lead time by half its lifetime.</summary>
    public const string IssuedAtItem = ".wikimedia.issued";

    /// <summary>When the tokens were last refreshed (ISO 8601).</summary>
    public const string RefreshedAtItem = ".wikimedia.refreshed";

    /// <summary>Not before this time (ISO 8601) is a failed refresh tried again.</summary>
    public const string RetryAtItem = ".wikimedia.retry";

    /// <summary>How many refreshes in a row failed transiently, for the back-off.</summary>
    public const string FailuresItem = ".wikimedia.failures";

    /// <summary>Set when the server refused refresh for this consumer (invalid_client for a public consumer).</summary>
    public const string RefreshRefusedItem = ".wikimedia.norefresh";

    public static DateTimeOffset? GetTime(AuthenticationProperties properties, string item)
        => properties.Items.TryGetValue(item, out var value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;

    public static void SetTime(AuthenticationProperties properties, string item, DateTimeOffset time)
        => properties.Items[item] = time.ToString("o", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ExpiresAt(AuthenticationProperties properties)
        => DateTimeOffset.TryParse(properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;

    /// <summary>Replaces the stored tokens with the refreshed ones, keeping the old refresh token when none came back.</summary>
    public static void Store(AuthenticationProperties properties, WikimediaTokenRefreshResult result)
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
        SetTime(properties, IssuedAtItem, result.IssuedAt);
        SetTime(properties, RefreshedAtItem, result.IssuedAt);
        properties.Items.Remove(RetryAtItem);
        properties.Items.Remove(FailuresItem);
    }

    /// <summary>A key for the refresh token being spent that reveals nothing of it: a truncated SHA-256.</summary>
    public static string KeyOf(string scheme, string refreshToken)
        => scheme + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)).AsSpan(0, 16));
}
