using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>An authorization code: single use, short-lived, bound to client, redirect_uri and PKCE challenge.</summary>
internal sealed record IssuedCode(string ClientId, string RedirectUri, string? Challenge, string? ChallengeMethod, EmulatorUser User, string[] Scopes, DateTimeOffset ExpiresAt)
{
    public bool Used { get; set; }
}

/// <summary>An access token and what it grants.</summary>
internal sealed record IssuedAccessToken(string ClientId, EmulatorUser? User, string[] Scopes, DateTimeOffset ExpiresAt)
{
    public bool Revoked { get; set; }
}

/// <summary>A refresh token; rotation marks it, and it keeps working for the grace window after that.</summary>
internal sealed record IssuedRefreshToken(string ClientId, EmulatorUser User, string[] Scopes, DateTimeOffset ExpiresAt, string AccessToken)
{
    public DateTimeOffset? RotatedAt { get; set; }

    public bool Revoked { get; set; }
}

/// <summary>
/// The emulator's state: codes and tokens it issued, and what became of them. Thread-safe through one lock:
/// the emulator answers requests concurrently, and tests hammer it with parallel refreshes.
/// </summary>
internal sealed class GrantStore(WikimediaEmulatorOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IssuedCode> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedAccessToken> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedRefreshToken> _refreshTokens = new(StringComparer.Ordinal);

    public DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    public string IssueCode(EmulatorClient client, string redirectUri, string? challenge, string? method, EmulatorUser user, string[] scopes)
    {
        // Codes are opaque, long, hex and start with def50200 (docs/protocol.md section 2).
        var code = "def50200" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(96));
        lock (_gate)
        {
            _codes[code] = new IssuedCode(client.ClientId, redirectUri, challenge, method, user, scopes, Now + options.CodeLifetime);
        }

        return code;
    }

    /// <summary>
    /// Takes a code for redemption: it is used up even when the rest of the request then fails, as in
    /// league/oauth2-server. Returns null and the reason (the hint of 1.39's answer) when the code is unusable.
    /// </summary>
    public (IssuedCode? Code, string? Problem) RedeemCode(string code, string clientId)
    {
        lock (_gate)
        {
            if (!_codes.TryGetValue(code, out var issued))
            {
                return (null, "Cannot decrypt the authorization code");
            }

            if (issued.Used)
            {
                return (null, "Authorization code has been revoked");
            }

            if (issued.ClientId != clientId)
            {
                return (null, "Authorization code was not issued to this client");
            }

            if (issued.ExpiresAt <= Now)
            {
                return (null, "Authorization code has expired");
            }

            issued.Used = true;
            return (issued, null);
        }
    }

    /// <summary>Issues an access token, and a refresh token when asked; <paramref name="origin"/> is the wiki's address, the <c>iss</c> on 1.39.</summary>
    public (string AccessToken, string? RefreshToken) IssueTokens(EmulatorClient client, EmulatorUser? user, string[] scopes, bool withRefreshToken, string origin)
    {
        var now = Now;
        var access = CreateJwt(client, user, scopes, now, origin);
        var refresh = withRefreshToken && user is not null ? "def50200" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(346)) : null;
        lock (_gate)
        {
            _accessTokens[access] = new IssuedAccessToken(client.ClientId, user, scopes, now + options.AccessTokenLifetime);
            if (refresh is not null)
            {
                _refreshTokens[refresh] = new IssuedRefreshToken(client.ClientId, user!, scopes, now + options.RefreshTokenLifetime, access);
            }
        }

        return (access, refresh);
    }

    /// <summary>
    /// Rotates a refresh token: the old access token is revoked at once, the old refresh token works for the
    /// grace window (docs/protocol.md section 4). Returns null and the reason when the token is unusable.
    /// </summary>
    public (IssuedRefreshToken? Token, string? Problem) Rotate(string refreshToken, string clientId)
    {
        lock (_gate)
        {
            if (!_refreshTokens.TryGetValue(refreshToken, out var issued) || issued.ClientId != clientId)
            {
                return (null, "Cannot decrypt the refresh token");
            }

            var now = Now;
            if (issued.Revoked || (issued.RotatedAt is { } rotated && now - rotated >= options.RefreshGraceWindow))
            {
                return (null, "Token has been revoked");
            }

            if (issued.ExpiresAt <= now)
            {
                return (null, "Token has expired");
            }

            issued.RotatedAt ??= now;
            if (_accessTokens.TryGetValue(issued.AccessToken, out var access))
            {
                access.Revoked = true;
            }

            return (issued, null);
        }
    }

    public IssuedAccessToken? FindAccessToken(string token)
    {
        lock (_gate)
        {
            return _accessTokens.GetValueOrDefault(token);
        }
    }

    /// <summary>Revokes every token of <paramref name="username"/> (optionally for one client), as Special:OAuthManageMyGrants does.</summary>
    public int Revoke(string username, string? clientId)
    {
        lock (_gate)
        {
            var count = 0;
            foreach (var token in _accessTokens.Values.Where(t => t.User?.Username == username && (clientId is null || t.ClientId == clientId)))
            {
                token.Revoked = true;
                count++;
            }

            foreach (var token in _refreshTokens.Values.Where(t => t.User.Username == username && (clientId is null || t.ClientId == clientId)))
            {
                token.Revoked = true;
                count++;
            }

            return count;
        }
    }

    /// <summary>
    /// An RS256-shaped JWT with the claims the server puts in access tokens; the signature is random, as no JWKS is
    /// published. A 1.39 wiki names itself and its local user id, and adds no grant type or rate limit
    /// (test/realwiki/README.md).
    /// </summary>
    private string CreateJwt(EmulatorClient client, EmulatorUser? user, string[] scopes, DateTimeOffset now, string origin)
    {
        var mediaWiki = options.IsMediaWiki();
        var claims = new Dictionary<string, object?>
        {
            ["aud"] = client.ClientId,
            ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(40)),
            ["iat"] = now.ToUnixTimeMilliseconds() / 1000.0,
            ["nbf"] = now.ToUnixTimeMilliseconds() / 1000.0,
            ["exp"] = (now + options.AccessTokenLifetime).ToUnixTimeMilliseconds() / 1000.0,
            ["sub"] = user is null ? "" : mediaWiki ? user.Id : "mw:CentralAuth::" + user.Id,
            ["iss"] = mediaWiki ? origin : "https://meta.wikimedia.org",
        };
        if (!mediaWiki)
        {
            claims["grant_type"] = user is null ? "client_credentials" : "authorization_code";
            claims["ratelimit"] = new { requests_per_unit = 5000, unit = "HOUR" };
        }

        claims["scopes"] = scopes;
        var header = WebEncoders.Base64UrlEncode("""{"typ":"JWT","alg":"RS256"}"""u8);
        var payload = WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(256));
        return $"{header}.{payload}.{signature}";
    }
}
