using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Diagnostics;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication.OAuth;

namespace AspNet.Security.OAuth.Wikimedia.Protocol;

/// <summary>
/// Posts a grant to Wikimedia's token endpoint (docs/protocol.md section 4) and validates the answer.
/// Used by the code exchange at sign-in and by token refresh, so both authenticate and fail the same way.
/// </summary>
internal static class WikimediaTokenEndpoint
{
    private const string EndpointName = "token";

    /// <summary>
    /// Sends <paramref name="parameters"/> plus client authentication (client_secret_post: the secret is only
    /// sent by confidential consumers) as <c>application/x-www-form-urlencoded</c>, the only encoding the server
    /// takes. Never an <c>Authorization: Bearer</c> header: Wikimedia's edge rejects an expired JWT on this route.
    /// </summary>
    /// <returns>A successful <see cref="OAuthTokenResponse"/>; failures throw <see cref="BackchannelException"/>.</returns>
    public static async Task<OAuthTokenResponse> RequestAsync(
        string scheme, HttpClient backchannel, WikimediaAuthenticationOptions options, IReadOnlyList<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken)
    {
        using var activity = WikimediaActivities.Start(WikimediaActivities.TokenRequest, scheme, ActivityKind.Client);
        activity?.SetTag(WikimediaActivities.GrantTypeTag, parameters.FirstOrDefault(p => p.Key == "grant_type").Value);
        try
        {
            var tokens = await SendAsync(backchannel, options, parameters, cancellationToken);
            activity.Succeeded();
            return tokens;
        }
        catch (BackchannelException ex)
        {
            activity?.SetTag(WikimediaActivities.StatusCodeTag, ex.StatusCode);
            activity.Failed(ex.Error ?? (ex.IsTransient ? "unavailable" : "refused"), ex.Message);
            throw;
        }
        catch (Exception ex) when (activity is not null)
        {
            // A handler the app added to the backchannel (Polly's time-out, say): the caller decides what it means.
            activity.Failed(ex.GetType().FullName ?? ex.GetType().Name, ex.Message);
            throw;
        }
    }

    private static async Task<OAuthTokenResponse> SendAsync(
        HttpClient backchannel, WikimediaAuthenticationOptions options, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>(parameters) { new("client_id", options.ClientId) };
        if (!string.IsNullOrEmpty(options.ClientSecret))
        {
            form.Add(new("client_secret", options.ClientSecret));
        }

        using var request = WikimediaBackchannel.CreateRequest(HttpMethod.Post, options.TokenEndpoint, options);
        request.Content = new FormUrlEncodedContent(form);
        using var response = await WikimediaBackchannel.SendAsync(backchannel, request, EndpointName, cancellationToken);
        var status = (int)response.StatusCode;
        var document = await WikimediaBackchannel.TryReadJsonObjectAsync(response, cancellationToken);

        if (!response.IsSuccessStatusCode)
        {
            using (document)
            {
                var error = document?.RootElement.GetString("error");
                var description = document?.RootElement.GetString("error_description");
                throw new BackchannelException(
                    $"The Wikimedia token endpoint ({WikimediaBackchannel.Describe(request)}) answered HTTP {status} {response.ReasonPhrase}" +
                    (error is null ? " without an OAuth error." : $": {error}{(description is null ? null : " (" + description + ")")}."),
                    null, error, status, IsTransient(response.StatusCode), description);
            }
        }

        if (document is null)
        {
            throw new BackchannelException(
                $"The Wikimedia token endpoint ({WikimediaBackchannel.Describe(request)}) answered HTTP {status} with a body that is not a JSON object.",
                null, null, status, isTransient: true);
        }

        var problem = Validate(document.RootElement);
        if (problem is not null)
        {
            document.Dispose();
            throw new BackchannelException(
                $"The Wikimedia token endpoint ({WikimediaBackchannel.Describe(request)}) answered HTTP {status} with an unusable token response: {problem}.",
                null, null, status, isTransient: true);
        }

        return OAuthTokenResponse.Success(document);
    }

    private static string? Validate(JsonElement root)
    {
        if (!root.TryGetProperty("access_token", out var access) || access.ValueKind != JsonValueKind.String || access.ValueEquals(ReadOnlySpan<byte>.Empty))
        {
            return "no access_token string";
        }

        if (root.TryGetProperty("token_type", out var type) &&
            !(type.ValueKind == JsonValueKind.String && string.Equals(type.GetString(), "Bearer", StringComparison.OrdinalIgnoreCase)))
        {
            return "token_type is not Bearer";
        }

        if (root.TryGetProperty("refresh_token", out var refresh) && refresh.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            return "refresh_token is not a string";
        }

        // The number 3600 and the string "3600" are the same answer (some servers quote it), and so are 0 and "0":
        // a token that expired when issued is unusable. Positive values are clamped later (SessionTokens.Lifetime).
        if (root.TryGetProperty("expires_in", out var expires) && expires.ValueKind != JsonValueKind.Null &&
            !((expires.ValueKind == JsonValueKind.Number ? expires.TryGetDouble(out var seconds) && double.IsFinite(seconds)
                : expires.ValueKind == JsonValueKind.String && SessionTokens.TryParseSeconds(expires.GetString(), out seconds)) &&
              seconds > 0))
        {
            return "expires_in is not a positive number";
        }

        return null;
    }

    private static bool IsTransient(HttpStatusCode status)
        => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
