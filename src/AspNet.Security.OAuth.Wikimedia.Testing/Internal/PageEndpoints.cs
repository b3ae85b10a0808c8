using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using WireMock;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// The REST API's page routes that read and write wikitext: <c>GET page/{title}</c>, <c>GET page/{title}/history</c>
/// and <c>PUT page/{title}</c>, and the action API's revision query that shows change tags, with the answers, status
/// codes and checks of MediaWiki 1.39 (docs/protocol.md, "Editing").
/// </summary>
internal sealed class PageEndpoints(WikimediaEmulatorOptions options, GrantStore grants, PageStore pages)
{
    public ResponseMessage Source(EmulatorRequest request, string project, string language, string encodedTitle)
    {
        if (BearerCheck.Authenticate(options, grants, request, out _) is { } failure)
        {
            return failure;
        }

        var title = Title(encodedTitle);
        return pages.Find(project, language, title) is { } page
            ? Http.Json(HttpStatusCode.OK, JsonSerializer.Serialize(PageJson(page, project, language)))
            : NoSuchTitle(title);
    }

    public ResponseMessage History(EmulatorRequest request, string project, string language, string encodedTitle)
    {
        if (BearerCheck.Authenticate(options, grants, request, out _) is { } failure)
        {
            return failure;
        }

        var title = Title(encodedTitle);
        var revisions = pages.History(project, language, title);
        if (revisions.Count == 0)
        {
            return NoSuchTitle(title);
        }

        // MediaWiki answers 20 at a time, newest first; delta is null for a page's first revision.
        var listed = revisions.Take(20).Select((r, i) => new
        {
            id = r.Id,
            timestamp = Timestamp(r.Timestamp),
            minor = false,
            size = Encoding.UTF8.GetByteCount(r.Source),
            comment = r.Comment,
            user = new { id = UserId(r.User), name = r.User },
            delta = i + 1 < revisions.Count ? Encoding.UTF8.GetByteCount(r.Source) - Encoding.UTF8.GetByteCount(revisions[i + 1].Source) : (int?)null,
        });
        return Http.Json(HttpStatusCode.OK, JsonSerializer.Serialize(new
        {
            revisions = listed,
            latest = $"{Http.Origin(request)}{request.Path}",
        }));
    }

    /// <summary>
    /// <c>PUT page/{title}</c>: the checks in MediaWiki's order (the token, the body, the page's existence, the user's
    /// rights through the token's grants, protection, the rate limit, the base revision), then the save, recorded as the
    /// token's user with the consumer's change tag.
    /// </summary>
    public ResponseMessage Edit(EmulatorRequest request, string project, string language, string encodedTitle)
    {
        if (request.Header("Authorization") is null)
        {
            // Without OAuth the request is a cookie session's, which needs a CSRF token: 1.39 asks for the action API's
            // token parameter, 1.43's REST API refuses the missing token itself.
            return options.IsMediaWiki143()
                ? Error(HttpStatusCode.Forbidden, "Invalid CSRF token.", errorKey: "rest-badtoken")
                : Error(HttpStatusCode.BadRequest, "The \"token\" parameter must be set.", "missingparam");
        }

        if (options.IsMediaWiki() && Refused(request))
        {
            // 1.39's REST API refuses an expired or revoked token as it refuses a reader (docs/protocol.md section 7).
            return Http.Json(HttpStatusCode.Forbidden, """{"error":"rest-read-denied","httpCode":403,"httpReason":"Forbidden"}""", "application/json");
        }

        if (BearerCheck.Authenticate(options, grants, request, out var token) is { } failure)
        {
            return failure;
        }

        var type = request.Header("Content-Type")?.Split(';')[0].Trim();
        if (!string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Http.Json(HttpStatusCode.UnsupportedMediaType, JsonSerializer.Serialize(new
            {
                message = "Unsupported Content-Type",
                content_type = type ?? "",
                httpCode = 415,
                httpReason = "Unsupported Media Type",
            }), "application/json");
        }

        if (ReadBody(request.Body) is not { } read)
        {
            return Error(HttpStatusCode.BadRequest, "Malformed JSON body.");
        }

        var (source, comment, baseRevision, problem) = read;
        if (problem is not null)
        {
            return Error(HttpStatusCode.BadRequest, problem);
        }

        var title = Title(encodedTitle);
        var user = token.User!;
        return pages.Edit(project, language, title, page =>
        {
            if (baseRevision is null && page is not null)
            {
                return Error(HttpStatusCode.Conflict, $"The page \"{title}\" cannot be created since it already exists. To update the existing page, provide the base revision ID in the structure under \"latest\" key in the request body.");
            }

            if (baseRevision is not null && page is null)
            {
                return Error(HttpStatusCode.NotFound, "The page you specified doesn't exist.");
            }

            // The grants narrow the user's rights: editpage gives "edit", createeditmovepage "createpage".
            if (!token.Scopes.Contains("editpage"))
            {
                return Error(HttpStatusCode.BadRequest, "The action you have requested is limited to users in one of the groups: *, Users.", "permissiondenied");
            }

            if (page is null && !token.Scopes.Contains("createeditmovepage"))
            {
                return Error(HttpStatusCode.BadRequest, "You do not have permission to create new pages.", "cantcreate");
            }

            if (page is { Protected: true } && !user.Groups.Contains("sysop"))
            {
                return Error(HttpStatusCode.Forbidden, "This page has been protected to prevent editing or other actions.",
                    errorKey: options.IsMediaWiki143() ? "protectedpagetext" : null);
            }

            var now = grants.Now;
            if (!pages.TryCountEdit(user.Username, now))
            {
                return Error((HttpStatusCode)429, "As an anti-abuse measure, you are limited from performing this action too many times in a short space of time, and you have exceeded this limit.\nPlease try again in a few minutes.");
            }

            if (page is not null && baseRevision != page.LatestRevisionId)
            {
                // MediaWiki would merge edits of different lines; the emulator treats every stale base as a conflict.
                return Error(HttpStatusCode.Conflict, "Edit conflict.");
            }

            if (page is not null && page.Source == source)
            {
                // A null edit: no new revision, the current one is answered.
                return Saved(HttpStatusCode.OK, page, project, language);
            }

            var created = page is null;
            var draft = new EmulatorRevision(0, TruncateToSecond(now), user.Username, comment!, source!, [$"OAuth CID: {ConsumerId(token.ClientId)}"]);
            var (saved, _) = pages.Save(page, project, language, title, draft);
            return Saved(created ? HttpStatusCode.Created : HttpStatusCode.OK, saved, project, language);
        });
    }

    /// <summary>
    /// <c>/w/api.php?action=query&amp;prop=revisions&amp;titles=...&amp;rvprop=...&amp;format=json&amp;formatversion=2</c>:
    /// the action API's view of a page's revisions, the one that shows change tags (the REST history does not). Only
    /// this query, for one title, anonymous as on the real wiki.
    /// </summary>
    public ResponseMessage ActionQuery(EmulatorRequest request)
    {
        var title = request.Query.GetValueOrDefault("titles")?.Replace('_', ' ') ?? "";
        if (request.Query.GetValueOrDefault("action") != "query" || request.Query.GetValueOrDefault("prop") != "revisions" || title.Length == 0)
        {
            return Http.Json(HttpStatusCode.OK, """{"error":{"code":"badvalue","info":"The emulator's api.php answers only action=query&prop=revisions&titles=..."}}""");
        }

        title = UpperFirst(title);
        var limit = int.TryParse(request.Query.GetValueOrDefault("rvlimit"), CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 50) : 1;
        var page = pages.Find("wikipedia", "en", title);
        var revisions = pages.History("wikipedia", "en", title);
        object entry = page is null
            ? new { ns = 0, title, missing = true }
            : new
            {
                pageid = page.Id,
                ns = 0,
                title = page.Title,
                revisions = revisions.Take(limit).Select((r, i) => new
                {
                    revid = r.Id,
                    parentid = i + 1 < revisions.Count ? revisions[i + 1].Id : 0,
                    user = r.User,
                    timestamp = Timestamp(r.Timestamp),
                    comment = r.Comment,
                    tags = r.Tags,
                }),
            };
        return Http.Json(HttpStatusCode.OK, JsonSerializer.Serialize(new { batchcomplete = true, query = new { pages = new[] { entry } } }));
    }

    private bool Refused(EmulatorRequest request)
        => request.Header("Authorization") is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal)
            && grants.FindAccessToken(header["Bearer ".Length..]) is var found
            && (found is null || found.Revoked || found.ExpiresAt <= grants.Now);

    private int ConsumerId(string clientId)
    {
        var index = options.Clients.ToList().FindIndex(c => c.ClientId == clientId);
        return index < 0 ? 0 : options.Clients[index].ConsumerId is > 0 and var id ? id : index + 1;
    }

    private long? UserId(string name)
        => options.Users.FirstOrDefault(u => u.Username == name) is { } user && long.TryParse(user.Id, CultureInfo.InvariantCulture, out var id) ? id : null;

    private static (string? Source, string? Comment, long? Base, string? Problem)? ReadBody(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var field in new[] { "source", "comment" })
            {
                if (!root.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String)
                {
                    return (null, null, null, $"Mandatory field \"{field}\" missing from request body.");
                }
            }

            long? baseRevision = root.TryGetProperty("latest", out var latest) && latest.ValueKind == JsonValueKind.Object &&
                                 latest.TryGetProperty("id", out var id) && id.TryGetInt64(out var n) && n > 0
                ? n
                : null;
            return (root.GetProperty("source").GetString(), root.GetProperty("comment").GetString(), baseRevision, null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ResponseMessage Saved(HttpStatusCode status, EmulatorPage page, string project, string language)
    {
        var body = PageJson(page, project, language);
        return Http.Json(status, JsonSerializer.Serialize(body), "application/json");
    }

    private static Dictionary<string, object?> PageJson(EmulatorPage page, string project, string language) => new()
    {
        ["id"] = page.Id,
        ["key"] = page.Key,
        ["title"] = page.Title,
        ["latest"] = new { id = page.LatestRevisionId, timestamp = Timestamp(new DateTimeOffset(DateTime.SpecifyKind(page.LatestRevisionTimestamp, DateTimeKind.Utc))) },
        ["content_model"] = "wikitext",
        ["license"] = new { url = "https://creativecommons.org/licenses/by-sa/4.0/", title = "Creative Commons Attribution-Share Alike 4.0" },
        ["source"] = page.Source,
    };

    /// <summary>MediaWiki's error body: the English message, and the action module's code when it passed one on.</summary>
    private static ResponseMessage Error(HttpStatusCode status, string message, string? code = null, string? errorKey = null)
    {
        var body = new Dictionary<string, object>();
        if (errorKey is not null)
        {
            // 1.43 names the message of a REST error (1.39 only the action module's code).
            body["errorKey"] = errorKey;
        }

        if (code is not null)
        {
            body["actionModuleErrorCode"] = code;
        }

        body["messageTranslations"] = new Dictionary<string, string> { ["en"] = message };
        body["httpCode"] = (int)status;
        body["httpReason"] = status switch
        {
            HttpStatusCode.BadRequest => "Bad Request",
            HttpStatusCode.Forbidden => "Forbidden",
            HttpStatusCode.NotFound => "Not Found",
            HttpStatusCode.Conflict => "Conflict",
            _ => "Too Many Requests",
        };
        return Http.Json(status, JsonSerializer.Serialize(body), "application/json");
    }

    private static ResponseMessage NoSuchTitle(string title)
        => Error(HttpStatusCode.NotFound, $"The specified title ({title}) does not exist");

    /// <summary>A title from the path: decoded, underscores as spaces, first letter upper-case as MediaWiki stores it.</summary>
    internal static string Title(string encoded) => UpperFirst(Uri.UnescapeDataString(encoded).Replace('_', ' ').Trim());

    private static string UpperFirst(string title)
        => title.Length == 0 ? title : char.ToUpperInvariant(title[0]) + title[1..];

    private static DateTimeOffset TruncateToSecond(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
