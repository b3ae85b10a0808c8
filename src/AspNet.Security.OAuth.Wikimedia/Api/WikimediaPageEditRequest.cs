using System.Text.Json.Serialization;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>The JSON body of <c>PUT v1/page/{title}</c> (docs/protocol.md, "Editing").</summary>
internal sealed record WikimediaPageEditRequest(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("comment")] string Comment,
    [property: JsonPropertyName("latest"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WikimediaPageEditBase? Latest,
    [property: JsonPropertyName("content_model"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ContentModel);

/// <summary>The revision an edit is based on: <c>latest: {id}</c>.</summary>
internal sealed record WikimediaPageEditBase([property: JsonPropertyName("id")] long Id);
