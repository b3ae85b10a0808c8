using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspNet.Security.OAuth.Wikimedia.Json;

/// <summary>
/// The metadata of every type this package reads with the serializer, generated at build time, so that no JSON is read
/// through reflection (the package is trimmable and AOT-compatible; its project file says why that is checked).
/// </summary>
/// <remarks>
/// An API answer that lacks a member the result types require, or holds null where they do not allow it, is not the
/// documented answer: it becomes a failed result, never a success holding nulls that an app would dereference.
/// The profile is read through <see cref="WikimediaProfileJson"/> instead, which tolerates what this would refuse.
/// </remarks>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(WikimediaPage))]
[JsonSerializable(typeof(WikimediaSearchResults))]
[JsonSerializable(typeof(WikimediaProfile))]
[JsonSerializable(typeof(WikimediaPageSource))]
[JsonSerializable(typeof(WikimediaPageHistory))]
[JsonSerializable(typeof(WikimediaPageEditRequest))]
internal sealed partial class WikimediaJsonContext : JsonSerializerContext;
