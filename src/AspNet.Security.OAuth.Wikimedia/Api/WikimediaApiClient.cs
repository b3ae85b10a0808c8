using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Calls Wikimedia's REST API as the signed-in user (register it with <c>AddWikimediaApiClient()</c>).
/// Every call returns a <see cref="WikimediaApiResult{T}"/>; none throws for an answer of the API.
/// </summary>
public class WikimediaApiClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly IOptionsMonitor<WikimediaAuthenticationOptions> _authenticationOptions;
    private readonly IOptionsMonitor<WikimediaApiOptions> _apiOptions;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new <see cref="WikimediaApiClient"/>.</summary>
    /// <param name="http">A client whose base address is the API and whose handlers include <see cref="WikimediaBearerTokenHandler"/>.</param>
    /// <param name="authenticationOptions">The Wikimedia scheme's options, for the profile endpoint.</param>
    /// <param name="apiOptions">The API options.</param>
    /// <param name="time">The clock that an HTTP-date <c>Retry-After</c> is read against.</param>
    public WikimediaApiClient(
        HttpClient http, IOptionsMonitor<WikimediaAuthenticationOptions> authenticationOptions, IOptionsMonitor<WikimediaApiOptions> apiOptions, TimeProvider time)
    {
        _http = http;
        _authenticationOptions = authenticationOptions;
        _apiOptions = apiOptions;
        _time = time;
    }

    /// <summary>The largest answer read: page metadata and search results are a few KB.</summary>
    internal const int MaxResponseContentBufferSize = 4 * 1024 * 1024;

    /// <summary>Gets a page's metadata: <c>core/v1/{project}/{language}/page/{title}/bare</c>.</summary>
    /// <param name="project">The project, for example <c>wikipedia</c>.</param>
    /// <param name="language">The language code, for example <c>en</c>.</param>
    /// <param name="title">The title, as a reader writes it (spaces, slashes and any script are escaped here).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, or why not.</returns>
    public Task<WikimediaApiResult<WikimediaPage>> GetPageAsync(string project, string language, string title, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return GetAsync<WikimediaPage>($"core/v1/{Segment(project)}/{Segment(language)}/page/{Title(title)}/bare", cancellationToken);
    }

    /// <summary>Searches page titles and content: <c>core/v1/{project}/{language}/search/page?q=...&amp;limit=...</c>.</summary>
    /// <param name="project">The project.</param>
    /// <param name="language">The language code.</param>
    /// <param name="query">The search terms.</param>
    /// <param name="limit">How many results, 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The results, or why not.</returns>
    public Task<WikimediaApiResult<WikimediaSearchResults>> SearchPagesAsync(string project, string language, string query, int limit = 10, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 100);
        return GetAsync<WikimediaSearchResults>(
            $"core/v1/{Segment(project)}/{Segment(language)}/search/page?q={Uri.EscapeDataString(query)}&limit={limit}", cancellationToken);
    }

    /// <summary>Gets the signed-in user's profile from the scheme's profile endpoint.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profile, or why not.</returns>
    public async Task<WikimediaApiResult<WikimediaProfile>> GetProfileAsync(CancellationToken cancellationToken = default)
    {
        var endpoint = _authenticationOptions.Get(_apiOptions.CurrentValue.AuthenticationScheme).UserInformationEndpoint;
        var raw = await GetAsync<JsonElement>(endpoint, cancellationToken);
        if (!raw.Succeeded)
        {
            return new WikimediaApiResult<WikimediaProfile> { Status = raw.Status, StatusCode = raw.StatusCode, RetryAfter = raw.RetryAfter, TokenError = raw.TokenError, Message = raw.Message };
        }

        // Field by field, tolerating wrong types: a field that is not what Wikimedia documents is left out, never
        // an exception (sub is a string today and was a number before December 2024).
        var profile = raw.Value;
        if (profile.ValueKind != JsonValueKind.Object ||
            !profile.TryGetProperty("sub", out var sub) || sub.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            return Failure<WikimediaProfile>(WikimediaApiStatus.Failed, raw.StatusCode, "The Wikimedia profile endpoint answered without a 'sub' string or number.");
        }

        return new WikimediaApiResult<WikimediaProfile>
        {
            Status = WikimediaApiStatus.Success,
            StatusCode = raw.StatusCode,
            Value = new WikimediaProfile(
                sub.ToString(),
                profile.TryGetProperty("username", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
                profile.TryGetProperty("editcount", out var edits) && edits.ValueKind == JsonValueKind.Number && edits.TryGetInt64(out var count) ? count : null,
                Strings(profile, "groups"),
                Strings(profile, "grants"),
                profile.TryGetProperty("blocked", out var blocked) && blocked.ValueKind == JsonValueKind.True),
        };

        static string[] Strings(JsonElement e, string name)
            => e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).Where(v => v != "*").ToArray()
                : [];
    }

    private async Task<WikimediaApiResult<T>> GetAsync<T>(string uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return Failure<T>(WikimediaApiStatus.Failed, null, $"The Wikimedia API could not be reached or its answer could not be read: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failure<T>(WikimediaApiStatus.Failed, null, "The Wikimedia API did not answer in time.");
        }

        using (response)
        {
            if (request.Options.TryGetValue(WikimediaBearerTokenHandler.TokenErrorKey, out var tokenError))
            {
                return new WikimediaApiResult<T> { Status = WikimediaApiStatus.NotAuthenticated, TokenError = tokenError, Message = "No Wikimedia access token: " + tokenError };
            }

            var status = response.StatusCode switch
            {
                HttpStatusCode.OK => WikimediaApiStatus.Success,
                HttpStatusCode.Unauthorized => WikimediaApiStatus.Unauthorized,
                HttpStatusCode.Forbidden => WikimediaApiStatus.Forbidden,
                HttpStatusCode.NotFound => WikimediaApiStatus.NotFound,
                HttpStatusCode.TooManyRequests => WikimediaApiStatus.RateLimited,
                _ => WikimediaApiStatus.Failed,
            };
            if (status != WikimediaApiStatus.Success)
            {
                var retryAfter = response.Headers.RetryAfter is { } header
                    ? header.Delta ?? (header.Date is { } date ? Max(date - _time.GetUtcNow(), TimeSpan.Zero) : null)
                    : null;
                return Failure<T>(status, response.StatusCode, $"The Wikimedia API answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.") with { RetryAfter = retryAfter };
            }

            try
            {
                // JSON is UTF-8 (RFC 8259 section 8.1) whatever charset the header names, so the bytes are parsed as
                // they are: an unknown or wrong charset is not a failure.
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var value = body.Length == 0 ? default : JsonSerializer.Deserialize<T>(body, Json);
                return value is null
                    ? Failure<T>(WikimediaApiStatus.Failed, response.StatusCode, "The Wikimedia API answered with an empty body.")
                    : new WikimediaApiResult<T> { Status = WikimediaApiStatus.Success, StatusCode = response.StatusCode, Value = value };
            }
            catch (JsonException ex)
            {
                return Failure<T>(WikimediaApiStatus.Failed, response.StatusCode, $"The Wikimedia API answered with a body that is not the expected JSON: {ex.Message}");
            }
            catch (HttpRequestException ex)
            {
                return Failure<T>(WikimediaApiStatus.Failed, response.StatusCode, $"The Wikimedia API's answer could not be read: {ex.Message}");
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static WikimediaApiResult<T> Failure<T>(WikimediaApiStatus status, HttpStatusCode? code, string message)
        => new() { Status = status, StatusCode = code, Message = message };

    private static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return Uri.EscapeDataString(value);
    }

    /// <summary>MediaWiki keys use underscores for spaces; everything else (/, ?, #, non-ASCII) is percent-encoded.</summary>
    private static string Title(string title) => Uri.EscapeDataString(title.Trim().Replace(' ', '_'));
}
