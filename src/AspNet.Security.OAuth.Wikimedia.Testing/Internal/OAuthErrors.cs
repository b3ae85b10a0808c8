using System.Net;
using System.Text.Json;
using WireMock;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// OAuth error answers in the emulated server's shape: MediaWiki (1.39 and 1.43) repeats the description as <c>message</c>, in
/// JSON bodies and in the error redirects alike; Wikimedia today does not (docs/protocol.md sections 3 and 4).
/// </summary>
internal static class OAuthErrors
{
    /// <summary>Whether the emulator plays a MediaWiki install (1.39 or 1.43), not Wikimedia's production.</summary>
    public static bool IsMediaWiki(this WikimediaEmulatorOptions options) => options.Server is EmulatedServer.MediaWiki139 or EmulatedServer.MediaWiki143;

    /// <summary>Whether the emulator plays MediaWiki 1.43, where it differs from 1.39 (docs/emulator.md).</summary>
    public static bool IsMediaWiki143(this WikimediaEmulatorOptions options) => options.Server == EmulatedServer.MediaWiki143;

    public static ResponseMessage Json(WikimediaEmulatorOptions options, HttpStatusCode status, string error, string description, string hint = "")
    {
        var body = new Dictionary<string, string> { ["error"] = error, ["error_description"] = description, ["hint"] = hint };
        if (options.IsMediaWiki())
        {
            body["message"] = description;
        }

        return Http.Json(status, JsonSerializer.Serialize(body));
    }

    /// <summary>The query of an error redirect to the client: <paramref name="parameters"/>, then <c>message</c> on 1.39.</summary>
    public static List<KeyValuePair<string, string>> Query(WikimediaEmulatorOptions options, List<KeyValuePair<string, string>> parameters)
    {
        if (options.IsMediaWiki() && parameters.FirstOrDefault(p => p.Key == "error_description") is { Value: { } description })
        {
            parameters.Add(new("message", description));
        }

        return parameters;
    }
}
