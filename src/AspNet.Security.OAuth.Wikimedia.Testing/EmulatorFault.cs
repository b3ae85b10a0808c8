using System.Net;

namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>The endpoints whose answers can be replaced by a fault.</summary>
public enum EmulatorEndpoint
{
    /// <summary>The token endpoint, <c>/oauth2/access_token</c>.</summary>
    Token,

    /// <summary>The profile endpoint, <c>/oauth2/resource/profile</c>.</summary>
    Profile,

    /// <summary>The REST API routes: the gateway's <c>/core/v1/...</c> and the per-wiki <c>/w/rest.php/v1/...</c>.</summary>
    Api,
}

/// <summary>
/// A fault injected into one endpoint: a delay, and optionally an answer that replaces the real one.
/// </summary>
public sealed class EmulatorFault
{
    /// <summary>Gets or sets how long to wait before answering. Default: none.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Gets or sets the status of the replacement answer; null keeps the real answer (after <see cref="Delay"/>).</summary>
    public HttpStatusCode? StatusCode { get; set; }

    /// <summary>Gets or sets the body of the replacement answer.</summary>
    public string Body { get; set; } = "";

    /// <summary>Gets or sets the Content-Type of the replacement answer.</summary>
    public string ContentType { get; set; } = "application/json";

    /// <summary>Gets extra headers of the replacement answer, for example <c>Retry-After</c>.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how many requests the fault applies to; null means until it is removed.</summary>
    public int? Times { get; set; }

    /// <summary>Gets or sets a condition on the request (for example: its form holds a given grant type); null applies to all.</summary>
    public Func<EmulatorRequest, bool>? When { get; set; }

    /// <summary>A JSON error answer, as the server sends it: <c>{"error":...,"error_description":...}</c>.</summary>
    public static EmulatorFault OAuthError(HttpStatusCode status, string error, string description = "Injected fault")
        => new() { StatusCode = status, Body = $$"""{"error":"{{error}}","error_description":"{{description}}","hint":"","message":"{{description}}"}""" };

    /// <summary>An HTML error page, as the edge serves on 5xx.</summary>
    public static EmulatorFault HtmlError(HttpStatusCode status)
        => new()
        {
            StatusCode = status,
            ContentType = "text/html; charset=utf-8",
            Body = $"<!DOCTYPE html><html><head><title>Wikimedia Error</title></head><body><h1>Error</h1><p>Our servers are currently under maintenance or experiencing a technical issue ({(int)status}).</p></body></html>",
        };

    /// <summary>A delay before the real answer.</summary>
    public static EmulatorFault Slow(TimeSpan delay) => new() { Delay = delay };
}
