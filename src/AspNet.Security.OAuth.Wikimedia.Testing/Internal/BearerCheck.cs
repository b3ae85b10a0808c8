using System.Net;
using WireMock;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// Who refuses a Bearer token, and how. On Wikimedia the edge checks the JWT first and MediaWiki refuses a revoked
/// grant with a 403 (docs/protocol.md section 6); a 1.39 wiki has no edge, and its OAuth server answers
/// <c>401 access_denied</c> with a hint (test/realwiki/README.md). On both, a token that carries no grant at all
/// makes every call fail with HTTP 500 (docs/protocol.md section 2).
/// </summary>
internal static class BearerCheck
{
    private const string Denied = "The resource owner or authorization server denied the request.";

    public static ResponseMessage? Authenticate(WikimediaEmulatorOptions options, GrantStore store, EmulatorRequest request, out IssuedAccessToken token)
    {
        token = null!;
        var header = request.Header("Authorization");
        // "Bearer" is case sensitive here (docs/protocol.md section 6).
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal) || header.Length == "Bearer ".Length)
        {
            return OAuthErrors.Json(options, HttpStatusCode.Unauthorized, "access_denied", Denied, "Missing \"Bearer\" token");
        }

        var found = store.FindAccessToken(header["Bearer ".Length..]);
        var mediaWiki = options.IsMediaWiki();
        if (found is null || found.ExpiresAt <= store.Now)
        {
            return mediaWiki
                ? OAuthErrors.Json(options, HttpStatusCode.Unauthorized, "access_denied", Denied, "Access token could not be verified")
                : Http.Json(HttpStatusCode.Unauthorized, found is null ? """{"httpCode":401,"httpReason":"Jwt verification fails"}""" : """{"httpCode":401,"httpReason":"Jwt is expired"}""");
        }

        if (found.Revoked)
        {
            return mediaWiki
                ? OAuthErrors.Json(options, HttpStatusCode.Unauthorized, "access_denied", Denied, "Access token has been revoked")
                : ResourceEndpoints.Forbidden("The authorization grant has been revoked.");
        }

        if (found.Scopes.Length == 0)
        {
            return InternalError();
        }

        token = found;
        return null;
    }

    /// <summary>MediaWiki's page for an uncaught exception, which is what a token without grants meets.</summary>
    private static ResponseMessage InternalError()
        => Http.Html(HttpStatusCode.InternalServerError, "<!DOCTYPE html><html><head><title>Internal error - MediaWiki</title></head><body><h1>Internal error</h1><p>[emulator] Exception caught inside exception handler: TypeError: the access token carries no grant.</p></body></html>");
}
