using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using WireMock;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// <c>POST /oauth2/access_token</c> (docs/protocol.md section 4): form-encoded only, client authentication by
/// form fields or HTTP Basic, the three grants, refresh-token rotation, and the server's error table.
/// </summary>
internal sealed class TokenEndpoint(WikimediaEmulatorOptions options, GrantStore store)
{
    public ResponseMessage Handle(EmulatorRequest request)
    {
        if (request.Header("Content-Type")?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            if (options.IsMediaWiki143())
            {
                // 1.43's REST framework refuses a body type the route does not declare before the OAuth server sees it.
                return Http.Json(HttpStatusCode.UnsupportedMediaType, """{"errorKey":"rest-unsupported-content-type","messageTranslations":{"en":"Unsupported Content-Type"},"httpCode":415,"httpReason":"Unsupported Media Type"}""");
            }

            return Error(HttpStatusCode.BadRequest, "invalid_request", "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.", "Check the `grant_type` parameter");
        }

        // Wikimedia's edge checks any JWT it sees before MediaWiki does (docs/protocol.md section 4); 1.39 has no edge.
        if (!options.IsMediaWiki() && request.Header("Authorization") is { } authorization && authorization.StartsWith("Bearer ", StringComparison.Ordinal) &&
            (store.FindAccessToken(authorization["Bearer ".Length..]) is not { } bearer || bearer.ExpiresAt <= store.Now))
        {
            return Http.Json(HttpStatusCode.Unauthorized, """{"httpCode":401,"httpReason":"Jwt is expired"}""");
        }

        var form = request.Form;
        var grantType = form.GetValueOrDefault("grant_type");
        if (string.IsNullOrEmpty(grantType))
        {
            return Error(HttpStatusCode.BadRequest, "invalid_request", "The request is missing a required parameter.", "Check the `grant_type` parameter");
        }

        var (clientId, secret) = ClientCredentials(request);
        if (string.IsNullOrEmpty(clientId))
        {
            return Error(HttpStatusCode.BadRequest, "invalid_request", "The request is missing a required parameter.", "Check the `client_id` parameter");
        }

        var client = options.Clients.FirstOrDefault(c => c.ClientId == clientId);
        if (client is null)
        {
            return Error(HttpStatusCode.Unauthorized, "invalid_client", "Client authentication failed");
        }

        if (client.IsConfidential)
        {
            if (string.IsNullOrEmpty(secret))
            {
                return Error(HttpStatusCode.BadRequest, "invalid_request", "The request is missing a required parameter.", "Check the `client_secret` parameter");
            }

            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(client.ClientSecret!)))
            {
                return Error(HttpStatusCode.Unauthorized, "invalid_client", "Client authentication failed");
            }
        }

        return grantType switch
        {
            "authorization_code" => AuthorizationCode(client, form, Http.Origin(request)),
            "refresh_token" => RefreshToken(client, form, Http.Origin(request)),
            "client_credentials" => ClientCredentialsGrant(client, Http.Origin(request)),
            _ => Error(HttpStatusCode.BadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.", $"Check that all required parameters have been provided"),
        };
    }

    private ResponseMessage AuthorizationCode(EmulatorClient client, IReadOnlyDictionary<string, string> form, string origin)
    {
        var code = form.GetValueOrDefault("code");
        if (string.IsNullOrEmpty(code))
        {
            return Error(HttpStatusCode.BadRequest, "invalid_request", "The request is missing a required parameter.", "Check the `code` parameter");
        }

        var (issued, problem) = store.RedeemCode(code, client.ClientId);
        if (issued is null)
        {
            // 1.39's league/oauth2-server calls a spent, expired or foreign code a malformed request (test/realwiki/README.md).
            return options.IsMediaWiki()
                ? Error(HttpStatusCode.BadRequest, "invalid_request", "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.", problem!)
                : Error(HttpStatusCode.BadRequest, "invalid_grant", "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.", "Authorization code has expired, been revoked or was issued to another client");
        }

        if (form.GetValueOrDefault("redirect_uri") != issued.RedirectUri)
        {
            return Error(HttpStatusCode.BadRequest, "invalid_request", "The request is missing a required parameter.", "Check the `redirect_uri` parameter");
        }

        var verifier = form.GetValueOrDefault("code_verifier");
        if (issued.Challenge is null)
        {
            if (verifier is not null)
            {
                return Error(HttpStatusCode.BadRequest, "invalid_request", "Failed to verify `code_verifier`.", "code_verifier sent although no code_challenge was");
            }
        }
        else
        {
            if (verifier is null || verifier.Length is < 43 or > 128 || verifier.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' or '_' or '~')))
            {
                return Error(HttpStatusCode.BadRequest, "invalid_request", "The request is missing a required parameter.", "Check the `code_verifier` parameter");
            }

            var computed = issued.ChallengeMethod == "S256"
                ? WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))
                : verifier;
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(issued.Challenge)))
            {
                return Error(HttpStatusCode.BadRequest, "invalid_grant", "The provided authorization grant is invalid.", "Failed to verify `code_verifier`.");
            }
        }

        var (access, refresh) = store.IssueTokens(client, issued.User, issued.Scopes, withRefreshToken: true, origin);
        return Tokens(access, refresh);
    }

    private ResponseMessage RefreshToken(EmulatorClient client, IReadOnlyDictionary<string, string> form, string origin)
    {
        if (!client.IsConfidential && options.RefuseRefreshForPublicClients)
        {
            return Error(HttpStatusCode.Unauthorized, "invalid_client", "Client authentication failed");
        }

        var token = form.GetValueOrDefault("refresh_token");
        if (string.IsNullOrEmpty(token))
        {
            return Error(HttpStatusCode.BadRequest, "invalid_request", "The request is missing a required parameter.", "Check the `refresh_token` parameter");
        }

        var (issued, problem) = store.Rotate(token, client.ClientId);
        if (issued is null)
        {
            // The two servers' answers to a dead refresh token (docs/protocol.md section 4).
            return options.IsMediaWiki()
                ? Error(HttpStatusCode.Unauthorized, "invalid_request", "The refresh token is invalid.", problem!)
                : Error(HttpStatusCode.BadRequest, "invalid_grant", "The refresh token is invalid.", problem!);
        }

        // scope may only narrow the original grant.
        var scopes = form.GetValueOrDefault("scope") is { Length: > 0 } requested
            ? requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(issued.Scopes.Contains).ToArray()
            : issued.Scopes;
        var (access, refresh) = store.IssueTokens(client, issued.User, scopes, withRefreshToken: true, origin);
        return Tokens(access, refresh);
    }

    private ResponseMessage ClientCredentialsGrant(EmulatorClient client, string origin)
    {
        if (!client.IsConfidential)
        {
            return Error(HttpStatusCode.Unauthorized, "invalid_client", "Client authentication failed");
        }

        var (access, _) = store.IssueTokens(client, user: null, client.Grants.ToArray(), withRefreshToken: false, origin);
        return Tokens(access, null);
    }

    /// <summary>Fields in the server's order: token_type, expires_in, access_token, refresh_token; no scope, no id_token.</summary>
    private ResponseMessage Tokens(string accessToken, string? refreshToken)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("token_type", "Bearer");
            if (options.SendExpiresIn)
            {
                json.WriteNumber("expires_in", (long)options.AccessTokenLifetime.TotalSeconds);
            }

            json.WriteString("access_token", accessToken);
            if (refreshToken is not null)
            {
                json.WriteString("refresh_token", refreshToken);
            }

            json.WriteEndObject();
        }

        var response = Http.Json(HttpStatusCode.OK, Encoding.UTF8.GetString(buffer.ToArray()));
        response.AddHeader("Pragma", "no-cache");
        return response;
    }

    private static (string? ClientId, string? Secret) ClientCredentials(EmulatorRequest request)
    {
        if (request.Header("Authorization") is { } header && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    return (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
                }
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }

        return (request.Form.GetValueOrDefault("client_id"), request.Form.GetValueOrDefault("client_secret"));
    }

    private ResponseMessage Error(HttpStatusCode status, string error, string description, string hint = "")
        => OAuthErrors.Json(options, status, error, description, hint);
}
