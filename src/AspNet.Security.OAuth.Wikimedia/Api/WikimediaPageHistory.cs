using System.Text.Json.Serialization;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>A page's latest revisions, newest first, from <c>v1/page/{title}/history</c> (20 per answer).</summary>
/// <param name="Revisions">The revisions, newest first.</param>
public sealed record WikimediaPageHistory(
    [property: JsonPropertyName("revisions")] IReadOnlyList<WikimediaHistoryRevision> Revisions);

/// <summary>One revision in a page's history.</summary>
/// <param name="Id">The revision id.</param>
/// <param name="Timestamp">When it was saved.</param>
/// <param name="User">Who saved it; null when hidden.</param>
/// <param name="Comment">The edit summary; null when hidden.</param>
/// <param name="Size">The size of the text, in bytes.</param>
/// <param name="Minor">Whether it was marked minor.</param>
public sealed record WikimediaHistoryRevision(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("user")] WikimediaRevisionUser? User = null,
    [property: JsonPropertyName("comment")] string? Comment = null,
    [property: JsonPropertyName("size")] long Size = 0,
    [property: JsonPropertyName("minor")] bool Minor = false);

/// <summary>The author of a revision.</summary>
/// <param name="Id">The local user id; null for an IP editor.</param>
/// <param name="Name">The user name.</param>
public sealed record WikimediaRevisionUser(
    [property: JsonPropertyName("id")] long? Id,
    [property: JsonPropertyName("name")] string Name);
