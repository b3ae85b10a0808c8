using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using WireMock;
using WireMock.Types;
using WireMock.Util;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>Reads WireMock requests into <see cref="EmulatorRequest"/> and builds WireMock responses.</summary>
internal static class Http
{
    public static EmulatorRequest Read(IRequestMessage message)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in message.Headers ?? new Dictionary<string, WireMockList<string>>())
        {
            headers[name] = string.Join(", ", values);
        }

        var body = message.Body ?? "";
        var form = headers.TryGetValue("Content-Type", out var type) && type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? Flatten(QueryHelpers.ParseQuery(body))
            : new Dictionary<string, string>();
        var url = new Uri(message.AbsoluteUrl);
        return new EmulatorRequest(message.Method, url.AbsolutePath, Flatten(QueryHelpers.ParseQuery(url.Query)), headers, form, body);
    }

    public static ResponseMessage Json(HttpStatusCode status, string json, string contentType = "application/json; charset=utf-8")
    {
        var response = Text(status, json, contentType);
        response.AddHeader("Cache-Control", "no-store");
        return response;
    }

    public static ResponseMessage Html(HttpStatusCode status, string html) => Text(status, html, "text/html; charset=utf-8");

    public static ResponseMessage Redirect(string location, HttpStatusCode status = HttpStatusCode.Found)
    {
        var response = new ResponseMessage { StatusCode = (int)status, Headers = new Dictionary<string, WireMockList<string>>() };
        response.AddHeader("Location", location);
        return response;
    }

    public static ResponseMessage Text(HttpStatusCode status, string text, string contentType)
    {
        var response = new ResponseMessage
        {
            StatusCode = (int)status,
            Headers = new Dictionary<string, WireMockList<string>>(),
            BodyData = new BodyData { BodyAsString = text, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
        response.AddHeader("Content-Type", contentType);
        return response;
    }

    /// <summary>
    /// The address the client used, <c>http://host:port</c>, from its Host header, as a MediaWiki without
    /// <c>$wgServer</c> works it out; empty without one, which leaves redirects relative.
    /// </summary>
    public static string Origin(EmulatorRequest request)
        => request.Header("Host") is { Length: > 0 } host ? "http://" + host : "";

    /// <summary>Appends query parameters the way the server does: <c>&amp;</c> when the callback already has a <c>?</c>.</summary>
    public static string AppendQuery(string uri, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var builder = new StringBuilder(uri);
        var separator = uri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in parameters)
        {
            builder.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return builder.ToString();
    }

    private static Dictionary<string, string> Flatten(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> values)
        => values.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
}
