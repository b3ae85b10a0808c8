using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Reads and writes what the session keeps about its tokens in <see cref="AuthenticationProperties"/> (so in the
/// cookie, or in the server-side ticket store): the tokens themselves, and the <see cref="SessionState"/> of refresh.
/// The one writer of saved tokens, for sign-in and refresh alike.
/// </summary>
internal static class SessionTokens
{
    /// <summary>How many refreshes in a row failed; while present, the next check time is a back-off.</summary>
    public const string FailuresItem = ".wikimedia.failures";

    /// <summary>The lifetime assumed when a token answer has no <c>expires_in</c>: one hour, the shortest that
    /// MediaWiki servers issue (docs/protocol.md), so that such a token is refreshed before it can have expired.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    /// <summary>The shortest lifetime believed: a shorter <c>expires_in</c> would make every request refresh.</summary>
    public static readonly TimeSpan MinimumLifetime = TimeSpan.FromMinutes(1);

    /// <summary>The longest lifetime believed: Wikimedia issues 4 hours; a day covers any sane server, and an absurd
    /// <c>expires_in</c> (milliseconds since the epoch, say) only makes the refresh come earlier than it says.</summary>
    public static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(1);

    /// <summary>
    /// The lifetime that <paramref name="expiresIn"/> (seconds, as a JSON number or string) stands for, clamped to
    /// [<see cref="MinimumLifetime"/>, <see cref="MaximumLifetime"/>]; <see cref="DefaultLifetime"/> when absent.
    /// Non-positive values are refused earlier, by the token endpoint client.
    /// </summary>
    public static TimeSpan Lifetime(string? expiresIn)
    {
        if (!TryParseSeconds(expiresIn, out var seconds))
        {
            return DefaultLifetime;
        }

        return seconds >= MaximumLifetime.TotalSeconds ? MaximumLifetime
            : seconds <= MinimumLifetime.TotalSeconds ? MinimumLifetime
            : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Parses <c>expires_in</c>: a finite number of seconds, from a JSON number or a string.</summary>
    public static bool TryParseSeconds(string? expiresIn, out double seconds)
        => double.TryParse(expiresIn, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && double.IsFinite(seconds);

    /// <summary>
    /// When a token issued at <paramref name="issuedAt"/> is due: <paramref name="lead"/> before it expires, but never
    /// earlier than half-way through its lifetime, so that short-lived tokens are not refreshed on every request.
    /// </summary>
    public static DateTimeOffset DueAt(DateTimeOffset issuedAt, DateTimeOffset expiresAt, TimeSpan lead)
    {
        var half = (expiresAt - issuedAt) / 2;
        return expiresAt - (lead < half ? lead : half);
    }

    public static DateTimeOffset? ExpiresAt(AuthenticationProperties properties)
        => DateTimeOffset.TryParse(properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;

    /// <summary>The session's access token as a result: <see cref="WikimediaTokenStatus.Expired"/> once it expired.</summary>
    public static WikimediaTokenResult Current(AuthenticationProperties properties, DateTimeOffset now)
    {
        if (properties.GetTokenValue("access_token") is not { Length: > 0 } accessToken)
        {
            return WikimediaTokenResult.Failed(WikimediaTokenStatus.NoToken);
        }

        var expiresAt = ExpiresAt(properties);
        if (expiresAt <= now)
        {
            return WikimediaTokenResult.Failed(WikimediaTokenStatus.Expired, "The access token has expired and could not be refreshed yet.");
        }

        SessionState.TryRead(properties, out var state);
        return new WikimediaTokenResult
        {
            Status = WikimediaTokenStatus.Success,
            AccessToken = accessToken,
            TokenType = properties.GetTokenValue("token_type"),
            ExpiresAt = expiresAt,
            IssuedAt = state.IssuedAt,
        };
    }

    /// <summary>The tokens of a successful token answer, issued now.</summary>
    public static WikimediaTokenResult FromResponse(Microsoft.AspNetCore.Authentication.OAuth.OAuthTokenResponse tokens, DateTimeOffset issuedAt)
        => new()
        {
            Status = WikimediaTokenStatus.Success,
            AccessToken = tokens.AccessToken,
            RefreshToken = tokens.RefreshToken,
            TokenType = tokens.TokenType,
            IssuedAt = issuedAt,
            ExpiresAt = issuedAt + Lifetime(tokens.ExpiresIn),
        };

    /// <summary>Stores the tokens of a new session and marks it for automatic refresh.</summary>
    public static void StoreSignIn(AuthenticationProperties properties, string scheme, WikimediaTokenResult tokens, TimeSpan lead)
    {
        var sessionId = Base64UrlTextEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        Store(properties, tokens, new SessionState(default, tokens.IssuedAt, 0, sessionId, scheme), lead);
    }

    /// <summary>Stores rotated tokens of generation <paramref name="generation"/>, keeping the old refresh token when none came back.</summary>
    public static void StoreRefresh(AuthenticationProperties properties, SessionState state, WikimediaTokenResult tokens, int generation, TimeSpan lead)
        => Store(properties, tokens, state with { Generation = generation, IssuedAt = tokens.IssuedAt }, lead);

    private static void Store(AuthenticationProperties properties, WikimediaTokenResult result, SessionState state, TimeSpan lead)
    {
        SetToken(properties, "access_token", result.AccessToken!);
        if (!string.IsNullOrEmpty(result.RefreshToken))
        {
            SetToken(properties, "refresh_token", result.RefreshToken);
        }

        if (!string.IsNullOrEmpty(result.TokenType))
        {
            SetToken(properties, "token_type", result.TokenType);
        }

        var expiresAt = result.ExpiresAt ?? result.IssuedAt + DefaultLifetime;
        SetToken(properties, "expires_at", expiresAt.ToString("o", CultureInfo.InvariantCulture));
        properties.Items.Remove(FailuresItem);
        (state with { NextCheck = DueAt(result.IssuedAt, expiresAt, lead) }).WriteTo(properties);
    }

    /// <summary>
    /// Sets one saved token, keeping the others, in the items <see cref="AuthenticationTokenExtensions.StoreTokens"/>
    /// writes (".Token.{name}", and the name in ".TokenNames"): cheaper than reading and storing them all again, which
    /// every sign-in and refresh would otherwise pay (docs/benchmarks.md).
    /// </summary>
    private static void SetToken(AuthenticationProperties properties, string name, string value)
    {
        if (properties.UpdateTokenValue(name, value))
        {
            return;
        }

        properties.Items[TokenPrefix + name] = value;
        properties.Items[TokenNamesItem] = properties.Items.TryGetValue(TokenNamesItem, out var names) && !string.IsNullOrEmpty(names) ? names + ";" + name : name;
    }

    private const string TokenPrefix = ".Token.";
    private const string TokenNamesItem = ".TokenNames";

    /// <summary>
    /// Whether <paramref name="newer"/> holds a later generation of the same session as <paramref name="properties"/>:
    /// the same session id (given at sign-in), tokens rotated more times.
    /// </summary>
    public static bool IsLaterGeneration(AuthenticationProperties newer, AuthenticationProperties properties)
        => SessionState.TryRead(newer, out var known) && SessionState.TryRead(properties, out var own) &&
           string.Equals(known.SessionId, own.SessionId, StringComparison.Ordinal) && known.Generation > own.Generation;

    /// <summary>
    /// Replaces the tokens and refresh bookkeeping of <paramref name="properties"/> with those of <paramref name="newer"/>,
    /// leaving everything else (the session's expiry, the app's own items) as it is.
    /// </summary>
    public static void AdoptFrom(AuthenticationProperties properties, AuthenticationProperties newer)
    {
        foreach (var key in properties.Items.Keys.Where(IsSessionItem).ToArray())
        {
            properties.Items.Remove(key);
        }

        foreach (var (key, value) in newer.Items)
        {
            if (IsSessionItem(key))
            {
                properties.Items[key] = value;
            }
        }
    }

    /// <summary>Items that <see cref="AuthenticationTokenExtensions.StoreTokens"/> and this class write (".Token.*", ".TokenNames", ".wikimedia*").</summary>
    private static bool IsSessionItem(string key)
        => key.StartsWith(TokenPrefix, StringComparison.Ordinal) || key == TokenNamesItem || key.StartsWith(SessionState.Item, StringComparison.Ordinal);

    /// <summary>
    /// The coordinator's key for the refresh token being spent at <paramref name="generation"/>, which reveals nothing
    /// of it (a truncated SHA-256). With the generation, a server that does not rotate refresh tokens would not hand a
    /// later refresh the remembered result of the previous one.
    /// </summary>
    public static string KeyOf(string scheme, string refreshToken, int generation)
        => scheme + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)).AsSpan(0, 16)) +
           ":" + generation.ToString(CultureInfo.InvariantCulture);
}
