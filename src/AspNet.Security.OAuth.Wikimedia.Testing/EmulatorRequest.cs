namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// One request the emulator received, as recorded in its journal.
/// </summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, as sent (percent-encoding kept).</param>
/// <param name="Query">The query parameters, decoded.</param>
/// <param name="Headers">The headers (case-insensitive names).</param>
/// <param name="Form">The form fields of an <c>application/x-www-form-urlencoded</c> body, decoded; empty otherwise.</param>
/// <param name="Body">The raw body.</param>
public sealed record EmulatorRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Form,
    string Body)
{
    /// <summary>Gets a header's value, or null.</summary>
    /// <param name="name">The header name.</param>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Whether this is a request to the token endpoint.</summary>
    public bool IsToken => Path.EndsWith("/oauth2/access_token", StringComparison.Ordinal);

    /// <summary>Whether this is a request to the profile endpoint.</summary>
    public bool IsProfile => Path.EndsWith("/oauth2/resource/profile", StringComparison.Ordinal);

    /// <summary>Whether this is a token request with <c>grant_type=refresh_token</c>.</summary>
    public bool IsRefresh => IsToken && Form.TryGetValue("grant_type", out var grant) && grant == "refresh_token";
}
