using System.Net;
using System.Text.Json;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Reads MediaWiki's refusal of an edit and names its kind, in one place (docs/protocol.md, "Editing": what a real
/// MediaWiki 1.39 and 1.43 answer in each case).
/// </summary>
internal static class WikimediaEditError
{
    /// <summary>The most of an error body read: MediaWiki's are a few hundred bytes.</summary>
    private const int MaxBodyBytes = 16 * 1024;

    /// <summary>The most of the server's message put in a result's message.</summary>
    private const int MaxTextLength = 300;

    /// <summary>
    /// Codes of the action API's edit module for a user who may not edit (the grant missing, a block), which the REST
    /// handler passes on as 400 with <c>actionModuleErrorCode</c>.
    /// </summary>
    private static readonly HashSet<string> PermissionCodes = new(StringComparer.Ordinal)
    {
        "permissiondenied", "writeapidenied", "noedit", "noedit-anon", "cantcreate", "cantcreate-anon", "nocreate-loggedin",
        "blocked", "autoblocked", "blockedtext", "blockedtext-partial", "blockedtext-tempuser", "readonly",
        "mwoauth-invalid-authorization", "mwoauth-invalid-authorization-wrong-wiki",
    };

    /// <summary>
    /// Codes for a protected page, when a newer MediaWiki names the 403's cause: the action API's, and the message keys
    /// that MediaWiki 1.43's REST API puts in <c>errorKey</c> (<c>protectedpagetext</c>, observed on a real 1.43).
    /// </summary>
    private static readonly HashSet<string> ProtectionCodes = new(StringComparer.Ordinal)
    {
        "protectedpage", "protectedpagetext", "cascadeprotected", "protectednamespace", "protectednamespace-interface", "protectedinterface",
        "protectedtitle", "titleprotected", "namespaceprotected",
        "customcssprotected", "customjsprotected", "customjsonprotected", "sitecssprotected", "sitejsprotected", "sitejsonprotected",
    };

    public static WikimediaApiStatus Status(HttpStatusCode code, string? errorCode) => code switch
    {
        HttpStatusCode.Conflict => WikimediaApiStatus.EditConflict,
        HttpStatusCode.TooManyRequests => WikimediaApiStatus.RateLimited,
        HttpStatusCode.NotFound => WikimediaApiStatus.NotFound,
        HttpStatusCode.Unauthorized => WikimediaApiStatus.Unauthorized,
        // A token refused even after the refresh: the same answer as on a read.
        HttpStatusCode.Forbidden when errorCode is "rest-read-denied" or "access_denied" => WikimediaApiStatus.Unauthorized,
        // 1.39 names no code for a protected page: a 403 to an edit that is not about the token is the protection.
        HttpStatusCode.Forbidden when errorCode is null || ProtectionCodes.Contains(errorCode) => WikimediaApiStatus.Protected,
        HttpStatusCode.Forbidden => PermissionCodes.Contains(errorCode!) ? WikimediaApiStatus.PermissionDenied : WikimediaApiStatus.Forbidden,
        HttpStatusCode.BadRequest when errorCode is not null && PermissionCodes.Contains(errorCode) => WikimediaApiStatus.PermissionDenied,
        _ => WikimediaApiStatus.Failed,
    };

    /// <summary>
    /// The code (<c>actionModuleErrorCode</c>, <c>errorKey</c>, or <c>error</c>) and the English text
    /// (<c>messageTranslations.en</c>, else <c>message</c>) of a MediaWiki error body; nulls for anything else (HTML,
    /// an empty or huge body).
    /// </summary>
    public static async Task<(string? Code, string? Text)> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is 0 or > MaxBodyBytes)
        {
            return (null, null);
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(MaxBodyBytes, cancellationToken);
            using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var root = body.RootElement;
            var code = String(root, "actionModuleErrorCode") ?? String(root, "errorKey") ?? String(root, "error");
            var text = root.TryGetProperty("messageTranslations", out var translations) && translations.ValueKind == JsonValueKind.Object
                ? String(translations, "en") ?? translations.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null).FirstOrDefault(t => t is not null)
                : String(root, "message");
            return (code, text is { Length: > MaxTextLength } ? text[..MaxTextLength] + "…" : text);
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException)
        {
            return (null, null);
        }
    }

    private static string? String(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
