using System.Text.Json.Serialization;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// A page with its wikitext: what <c>GET v1/page/{title}</c> answers, and what <c>PUT v1/page/{title}</c> answers
/// after an edit (below a REST root, or <c>core/v1/{project}/{language}/page/{title}</c> on the gateway).
/// </summary>
/// <param name="Id">The page id.</param>
/// <param name="Key">The title as used in URLs (underscores).</param>
/// <param name="Title">The title.</param>
/// <param name="Latest">The latest revision: after an edit, the revision the edit saved (or the unchanged latest one when the text was the same).</param>
/// <param name="Source">The page's wikitext in that revision.</param>
/// <param name="ContentModel">The content model, for example <c>wikitext</c>.</param>
/// <param name="License">The licence of the content.</param>
public sealed record WikimediaPageSource(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("latest")] WikimediaRevision Latest,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("content_model")] string? ContentModel = null,
    [property: JsonPropertyName("license")] WikimediaLicense? License = null);
