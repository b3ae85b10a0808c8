using System.Text.Json.Serialization;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>A page's metadata, from <c>v1/page/{title}/bare</c> below a REST root or <c>core/v1/{project}/{language}/page/{title}/bare</c>.</summary>
/// <param name="Id">The page id.</param>
/// <param name="Key">The title as used in URLs (underscores).</param>
/// <param name="Title">The title.</param>
/// <param name="Latest">The latest revision.</param>
/// <param name="ContentModel">The content model, for example <c>wikitext</c>.</param>
/// <param name="License">The licence of the content.</param>
/// <param name="HtmlUrl">Where the rendered HTML is.</param>
public sealed record WikimediaPage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("latest")] WikimediaRevision Latest,
    [property: JsonPropertyName("content_model")] string? ContentModel = null,
    [property: JsonPropertyName("license")] WikimediaLicense? License = null,
    [property: JsonPropertyName("html_url")] string? HtmlUrl = null);

/// <summary>A revision of a page.</summary>
/// <param name="Id">The revision id.</param>
/// <param name="Timestamp">When it was saved.</param>
public sealed record WikimediaRevision(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp);

/// <summary>The licence of a page's content.</summary>
/// <param name="Url">The licence's URL.</param>
/// <param name="Title">The licence's name.</param>
public sealed record WikimediaLicense(
    [property: JsonPropertyName("url")] string? Url = null,
    [property: JsonPropertyName("title")] string? Title = null);

/// <summary>Search results, from <c>v1/search/page</c> below a REST root or <c>core/v1/{project}/{language}/search/page</c>.</summary>
/// <param name="Pages">The pages found.</param>
public sealed record WikimediaSearchResults(
    [property: JsonPropertyName("pages")] IReadOnlyList<WikimediaSearchPage> Pages);

/// <summary>One search result.</summary>
/// <param name="Id">The page id.</param>
/// <param name="Key">The title as used in URLs.</param>
/// <param name="Title">The title.</param>
/// <param name="Excerpt">An excerpt with the match.</param>
/// <param name="Description">The short description, if any.</param>
public sealed record WikimediaSearchPage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("excerpt")] string? Excerpt = null,
    [property: JsonPropertyName("description")] string? Description = null);
