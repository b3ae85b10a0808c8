using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Protocol;

/// <summary>
/// Sends the handler's server-to-server requests and turns every way they can fail into an
/// <see cref="AuthenticationFailureException"/> whose message names the endpoint and what happened,
/// never a token, code or secret.
/// </summary>
internal static class WikimediaBackchannel
{
    /// <summary>Creates a request that carries the configured User-Agent (Wikimedia's User-Agent policy).</summary>
    public static HttpRequestMessage CreateRequest(HttpMethod method, string endpoint, WikimediaAuthenticationOptions options)
    {
        var request = new HttpRequestMessage(method, endpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("User-Agent", options.UserAgent);
        return request;
    }

    /// <summary>Sends <paramref name="request"/> and reads the whole body, within the backchannel's time-out.</summary>
    public static async Task<HttpResponseMessage> SendAsync(
        HttpClient backchannel, HttpRequestMessage request, string endpointName, CancellationToken cancellationToken)
    {
        var endpoint = request.RequestUri;
        HttpResponseMessage response;
        try
        {
            response = await backchannel.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new BackchannelException(
                $"The Wikimedia {endpointName} endpoint ({Describe(request)}) could not be reached or its answer could not be read: {ex.Message}",
                ex, error: null, statusCode: null, isTransient: true);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BackchannelException(
                $"The Wikimedia {endpointName} endpoint ({Describe(request)}) did not answer within {backchannel.Timeout.TotalSeconds:0.#} s.",
                ex, error: null, statusCode: null, isTransient: true);
        }

        // A backchannel the app supplied may follow redirects despite WikimediaPostConfigureOptions: an answer from
        // another address is refused, so that a redirect is a failure whichever way it was handled.
        if (response.RequestMessage?.RequestUri is { } answered && answered != endpoint)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new BackchannelException(
                $"The Wikimedia {endpointName} endpoint ({endpoint!.GetLeftPart(UriPartial.Path)}) redirected to another address, which the backchannel must not follow.",
                null, error: null, status, isTransient: false);
        }

        if ((int)response.StatusCode is >= 300 and < 400)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new BackchannelException(
                $"The Wikimedia {endpointName} endpoint ({endpoint!.GetLeftPart(UriPartial.Path)}) answered HTTP {status} (a redirect), which the backchannel does not follow: check the endpoint's address.",
                null, error: null, status, isTransient: false);
        }

        return response;
    }

    /// <summary>
    /// Parses the body as a JSON object whatever its Content-Type says: older MediaWiki versions label
    /// JSON as <c>text/html</c> (docs/protocol.md section 6).
    /// </summary>
    public static async Task<JsonDocument?> TryReadJsonObjectAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The endpoint's address without its query, safe to put in a message.</summary>
    public static string Describe(HttpRequestMessage request)
        => request.RequestUri?.GetLeftPart(UriPartial.Path) ?? "(no address)";

    /// <summary>
    /// A sign-in's backchannel request that failed with an exception of neither kind <see cref="SendAsync"/> knows: one
    /// raised by a handler the app added to the scheme's named client, such as the time-out or the open circuit of the
    /// standard resilience handler (Polly's own exceptions). At sign-in it is a backchannel failure like the others,
    /// naming the endpoint; a refresh keeps treating it as unexpected (docs/token-refresh.md, log id 26).
    /// </summary>
    public static BackchannelException AddedHandlerFailed(string endpointName, string endpoint, Exception exception)
        => new(
            $"The Wikimedia {endpointName} endpoint ({(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "(no address)")}) " +
            $"could not be reached or its answer could not be read: {exception.GetType().Name}: {exception.Message}",
            exception, error: null, statusCode: null, isTransient: true);

    /// <summary>Reads a string member, or null when it is missing or not a string.</summary>
    public static string? GetString(this JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
