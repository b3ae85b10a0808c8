using System.Globalization;
using System.Net;
using System.Text.Json;
using WireMock;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// The Bearer-protected routes: the profile (docs/protocol.md section 6) and the REST API's page and search
/// routes (section 7), with the edge's answers for a missing, expired or revoked token.
/// </summary>
internal sealed class ResourceEndpoints(WikimediaEmulatorOptions options, GrantStore store, PageStore pages)
{
    public ResponseMessage Profile(EmulatorRequest request)
    {
        if (Authenticate(request, out var token) is { } failure)
        {
            return failure;
        }

        var user = token.User;
        if (user is null)
        {
            // A client_credentials token acts for no user.
            return Forbidden("This token does not belong to a user.");
        }

        object sub = options.ProfileSubAsNumber ? long.Parse(user.Id, CultureInfo.InvariantCulture) : user.Id;
        Dictionary<string, object?> profile;
        if (user.Suppressed)
        {
            profile = new() { ["sub"] = sub, ["blocked"] = true };
        }
        else
        {
            profile = new()
            {
                ["sub"] = sub,
                ["username"] = user.Username,
                ["editcount"] = user.EditCount,
                ["email_verified"] = user.ConfirmedEmail,
                ["confirmed_email"] = user.ConfirmedEmail,
                ["blocked"] = user.Blocked,
                ["registered"] = user.Registered?.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
                ["groups"] = user.Groups,
                ["rights"] = user.Rights,
                ["grants"] = token.Scopes,
            };

            // email and realname only with mwoauth-authonlyprivate (or a grant that includes viewmyprivateinfo).
            if (token.Scopes.Contains("mwoauth-authonlyprivate") || token.Scopes.Contains("privateinfo"))
            {
                profile["realname"] = "";
                profile["email"] = user.Email;
            }
        }

        return Http.Json(HttpStatusCode.OK, JsonSerializer.Serialize(profile), options.ProfileContentType);
    }

    /// <summary><c>/oauth2/resource/scopes</c>: the grants of the token, <c>{"scopes":[...]}</c>.</summary>
    public ResponseMessage Scopes(EmulatorRequest request)
        => Authenticate(request, out var token) ?? Http.Json(HttpStatusCode.OK, JsonSerializer.Serialize(new { scopes = token.Scopes }));

    /// <summary><c>/core/v1/{project}/{language}/page/{title}/bare</c>, or the per-wiki <c>/w/rest.php/v1/page/{title}/bare</c>.</summary>
    public ResponseMessage PageBare(EmulatorRequest request, string project, string language, string encodedTitle)
    {
        if (Authenticate(request, out _) is { } failure)
        {
            return failure;
        }

        var title = Uri.UnescapeDataString(encodedTitle).Replace('_', ' ');
        var page = pages.Find(project, language, PageEndpoints.Title(encodedTitle));
        if (page is null)
        {
            return Http.Json(HttpStatusCode.NotFound, JsonSerializer.Serialize(new
            {
                messageTranslations = new Dictionary<string, string> { ["en"] = $"The specified page ({title}) does not exist" },
                httpCode = 404,
                httpReason = "Not Found",
            }));
        }

        return Http.Json(HttpStatusCode.OK, JsonSerializer.Serialize(new
        {
            id = page.Id,
            key = page.Key,
            title = page.Title,
            latest = new { id = page.LatestRevisionId, timestamp = page.LatestRevisionTimestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) },
            content_model = "wikitext",
            license = new { url = "https://creativecommons.org/licenses/by-sa/4.0/", title = "Creative Commons Attribution-Share Alike 4.0" },
            html_url = $"https://{language}.{project}.org/w/rest.php/v1/page/{Uri.EscapeDataString(page.Key)}/html",
        }));
    }

    /// <summary><c>/core/v1/{project}/{language}/search/page?q=...&amp;limit=...</c>, or the per-wiki <c>/w/rest.php/v1/search/page</c>.</summary>
    public ResponseMessage Search(EmulatorRequest request, string project, string language)
    {
        if (Authenticate(request, out _) is { } failure)
        {
            return failure;
        }

        var q = request.Query.GetValueOrDefault("q") ?? "";
        var limit = int.TryParse(request.Query.GetValueOrDefault("limit"), CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 100) : 50;
        var pages = options.Pages
            .Where(p => p.Project == project && p.Language == language && q.Length > 0 &&
                        (p.Title.Contains(q, StringComparison.OrdinalIgnoreCase) || p.Description.Contains(q, StringComparison.OrdinalIgnoreCase)))
            .Take(limit)
            .Select(p => new
            {
                id = p.Id,
                key = p.Key,
                title = p.Title,
                excerpt = p.Description,
                matched_title = (string?)null,
                description = p.Description,
                thumbnail = (object?)null,
            });
        return Http.Json(HttpStatusCode.OK, JsonSerializer.Serialize(new { pages }));
    }

    private ResponseMessage? Authenticate(EmulatorRequest request, out IssuedAccessToken token)
        => BearerCheck.Authenticate(options, store, request, out token);

    internal static ResponseMessage Forbidden(string message)
        => Http.Json(HttpStatusCode.Forbidden, JsonSerializer.Serialize(new
        {
            messageTranslations = new Dictionary<string, string> { ["en"] = message },
            httpCode = 403,
            httpReason = "Forbidden",
        }));
}
