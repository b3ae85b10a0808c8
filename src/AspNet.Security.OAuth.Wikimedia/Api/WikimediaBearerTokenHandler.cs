using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Circuits;
using AspNet.Security.OAuth.Wikimedia.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// A <see cref="DelegatingHandler"/> that sends requests as the signed-in user: it attaches the user's Bearer token
/// (refreshed first when due) and the Wikimedia User-Agent, and after a 401 (or MediaWiki's 403
/// <c>rest-read-denied</c>) refreshes once and retries once.
/// Add it to any <see cref="HttpClient"/> (for example one that calls <c>https://en.wikipedia.org/w/rest.php/v1/</c>)
/// with <c>AddWikimediaUserToken()</c>. A 429 is returned as it came: no retry loops.
/// </summary>
/// <remarks>
/// The signed-in user is the current request's, or, in an interactive Blazor circuit, the circuit's (its session's
/// tokens, refreshed within the circuit: docs/app-models.md). Without a usable token the request is not sent: the handler answers 401 itself, and the reason is in the
/// request's <see cref="HttpRequestMessage.Options"/> under <see cref="TokenStatusKey"/>.
/// </remarks>
public partial class WikimediaBearerTokenHandler : DelegatingHandler
{
    /// <summary>The request option that says why no token was attached.</summary>
    public static readonly HttpRequestOptionsKey<WikimediaTokenStatus> TokenStatusKey = new("Wikimedia.TokenStatus");

    /// <summary>The largest 403 body read to tell a refused token from a refused permission.</summary>
    private const int MaxErrorBodyBytes = 16 * 1024;

    private readonly IHttpContextAccessor _httpContextAccessor;
    private readonly IWikimediaAccessTokenProvider _tokens;
    private readonly IOptionsMonitor<WikimediaApiOptions> _apiOptions;
    private readonly IOptionsMonitor<WikimediaAuthenticationOptions> _authenticationOptions;
    private readonly ILogger<WikimediaBearerTokenHandler> _logger;

    /// <summary>Initializes a new <see cref="WikimediaBearerTokenHandler"/>.</summary>
    /// <param name="httpContextAccessor">Gives the current request, whose user the token belongs to.</param>
    /// <param name="tokens">Gives the user's access token.</param>
    /// <param name="apiOptions">The API options.</param>
    /// <param name="authenticationOptions">The Wikimedia scheme's options, for the default User-Agent.</param>
    /// <param name="logger">The logger.</param>
    public WikimediaBearerTokenHandler(
        IHttpContextAccessor httpContextAccessor,
        IWikimediaAccessTokenProvider tokens,
        IOptionsMonitor<WikimediaApiOptions> apiOptions,
        IOptionsMonitor<WikimediaAuthenticationOptions> authenticationOptions,
        ILogger<WikimediaBearerTokenHandler> logger)
    {
        _httpContextAccessor = httpContextAccessor;
        _tokens = tokens;
        _apiOptions = apiOptions;
        _authenticationOptions = authenticationOptions;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var api = _apiOptions.CurrentValue;
        using var activity = WikimediaActivities.Start(WikimediaActivities.ApiCall, api.AuthenticationScheme, ActivityKind.Client);
        try
        {
            var response = await SendWithTokenAsync(request, api, activity, cancellationToken);
            activity?.SetTag(WikimediaActivities.StatusCodeTag, (int)response.StatusCode);
            if (response.IsSuccessStatusCode)
            {
                activity.Succeeded();
            }
            else
            {
                activity.Failed(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), response.ReasonPhrase);
            }

            return response;
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.Failed(ex.GetType().FullName ?? ex.GetType().Name, ex.Message);
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendWithTokenAsync(HttpRequestMessage request, WikimediaApiOptions api, Activity? activity, CancellationToken cancellationToken)
    {
        if (request.Headers.UserAgent.Count == 0)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", api.UserAgent ?? _authenticationOptions.Get(api.AuthenticationScheme).UserAgent);
        }

        // In an interactive circuit, the circuit's session: the HttpContext there, if any, is the long-gone request that
        // opened the connection.
        var circuit = CircuitSession.Current;
        var context = _httpContextAccessor.HttpContext;
        var token = circuit is not null ? await circuit.GetAccessTokenAsync(force: false, rejectedAccessToken: null, cancellationToken)
            : context is null ? WikimediaTokenResult.Failed(WikimediaTokenStatus.NotAuthenticated)
            : await _tokens.GetAccessTokenAsync(context, forceRefresh: false, cancellationToken);
        activity?.SetTag(WikimediaActivities.TokenStatusTag, token.Status.ToString());
        if (!token.Succeeded)
        {
            return NoToken(request, token.Status);
        }

        // The request may be sent twice: buffer its content so that it can be read again.
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken);
        }

        // A redirect followed below this handler rewrites the request (its URI; and after a 301, 302 or 303, a POST
        // becomes a GET without content): the retry must be the request the app sent, where it sent it.
        var (target, method, content) = (request.RequestUri, request.Method, request.Content);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (!await RefusesTokenAsync(response, cancellationToken))
        {
            return response;
        }

        // The server rejects tokens our clock still thinks valid (no leeway, revocation at rotation): refresh once,
        // unless another request already did (then the current token is used) or did so within the last minute.
        var refreshed = circuit is not null
            ? await circuit.GetAccessTokenAsync(force: true, token.AccessToken, cancellationToken)
            : await _tokens.GetAccessTokenAfterRejectionAsync(context!, token.AccessToken!, cancellationToken);
        if (!refreshed.Succeeded || refreshed.AccessToken == token.AccessToken)
        {
            Log.StillUnauthorized(_logger, request.RequestUri?.GetLeftPart(UriPartial.Path), refreshed.Status);
            return response;
        }

        response.Dispose();
        activity?.SetTag(WikimediaActivities.RetriedTag, true);
        Log.RetryingAfterRefresh(_logger, request.RequestUri?.GetLeftPart(UriPartial.Path));
        (request.RequestUri, request.Method, request.Content) = (target, method, content);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", refreshed.AccessToken);
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// Whether the answer refuses the token itself: a 401, or the 403 <c>rest-read-denied</c> with which a MediaWiki
    /// REST API (1.39 at least) answers an expired or revoked token even on a wiki anyone may read
    /// (docs/protocol.md section 7). Other 403s (a missing grant, a block) are not helped by a new token.
    /// </summary>
    private static async Task<bool> RefusesTokenAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return true;
        }

        if (response.StatusCode != HttpStatusCode.Forbidden || response.Content.Headers.ContentLength is 0 or > MaxErrorBodyBytes)
        {
            return false;
        }

        try
        {
            // Buffered (at most MaxErrorBodyBytes, else HttpRequestException), so that the app still reads the body
            // when no retry happens.
            await response.Content.LoadIntoBufferAsync(MaxErrorBodyBytes, cancellationToken);
            using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            return body.RootElement.ValueKind == JsonValueKind.Object &&
                   body.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String &&
                   error.GetString() == "rest-read-denied";
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException)
        {
            return false;
        }
    }

    private static HttpResponseMessage NoToken(HttpRequestMessage request, WikimediaTokenStatus error)
    {
        request.Options.Set(TokenStatusKey, error);
        return new HttpResponseMessage(HttpStatusCode.Unauthorized)
        {
            RequestMessage = request,
            ReasonPhrase = "No Wikimedia access token: " + error,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Information, "The Wikimedia API answered 401 to {Endpoint}; retrying once with a refreshed token.")]
        public static partial void RetryingAfterRefresh(ILogger logger, string? endpoint);

        [LoggerMessage(41, LogLevel.Warning, "The Wikimedia API answered 401 to {Endpoint} and no new token could be had ({TokenStatus}).")]
        public static partial void StillUnauthorized(ILogger logger, string? endpoint, WikimediaTokenStatus tokenStatus);
    }
}
