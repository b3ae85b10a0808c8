using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace AspNet.Security.OAuth.Wikimedia.Protocol;

/// <summary>
/// Reads the <c>scopes</c> claim of a Wikimedia access token: the grants the server actually gave. The token is only
/// read, never trusted for anything else (no key is published to verify it; docs/protocol.md section 5).
/// </summary>
internal static class GrantedScopes
{
    /// <summary>The token's scopes, or null when the token is not a JWT with a <c>scopes</c> array.</summary>
    public static IReadOnlyList<string>? Read(string? accessToken)
    {
        var parts = accessToken?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object &&
                   payload.RootElement.TryGetProperty("scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array
                ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!).ToArray()
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
