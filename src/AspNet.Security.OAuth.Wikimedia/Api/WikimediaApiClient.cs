using System.Net;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Json;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Calls a wiki's REST API, or Wikimedia's API gateway, as the signed-in user (register it with
/// <c>AddWikimediaApiClient()</c>; <see cref="WikimediaApiOptions.BaseAddress"/> chooses which). Every call returns a
/// <see cref="WikimediaApiResult{T}"/>; none throws for an answer of the API.
/// </summary>
public class WikimediaApiClient
{
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

    /// <summary>
    /// Gets a page's metadata from the configured wiki: <c>{rest root}v1/page/{title}/bare</c> when
    /// <see cref="WikimediaApiOptions.BaseAddress"/> is a wiki's REST root, else
    /// <c>core/v1/{Project}/{Language}/page/{title}/bare</c> on the gateway, with <see cref="WikimediaApiOptions.Project"/>
    /// and <see cref="WikimediaApiOptions.Language"/>.
    /// </summary>
    /// <param name="title">The title, as a reader writes it (spaces, slashes and any script are escaped here).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, or why not.</returns>
    /// <exception cref="InvalidOperationException">The gateway is configured with an empty project or language.</exception>
    public Task<WikimediaApiResult<WikimediaPage>> GetPageAsync(string title, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return GetAsync(ConfiguredWiki($"page/{Title(title)}/bare"), ReadPage, cancellationToken);
    }

    /// <summary>
    /// Gets a page's metadata from the gateway: <c>core/v1/{project}/{language}/page/{title}/bare</c>. Only for the
    /// gateway; <see cref="GetPageAsync(string, CancellationToken)"/> works with both.
    /// </summary>
    /// <param name="project">The project, for example <c>wikipedia</c>.</param>
    /// <param name="language">The language code, for example <c>en</c>.</param>
    /// <param name="title">The title, as a reader writes it (spaces, slashes and any script are escaped here).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, or why not.</returns>
    /// <exception cref="InvalidOperationException">
    /// The base address is a wiki's REST root, which serves one wiki whatever the project and language say; nothing is sent.
    /// </exception>
    public Task<WikimediaApiResult<WikimediaPage>> GetPageAsync(string project, string language, string title, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(project);
        ArgumentException.ThrowIfNullOrWhiteSpace(language);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return GetAsync(GatewayWiki(project, language, $"page/{Title(title)}/bare", "GetPageAsync(title)"), ReadPage, cancellationToken);
    }

    /// <summary>
    /// Searches page titles and content of the configured wiki: <c>{rest root}v1/search/page?q=...&amp;limit=...</c>, or
    /// <c>core/v1/{Project}/{Language}/search/page?q=...&amp;limit=...</c> on the gateway (see <see cref="GetPageAsync(string, CancellationToken)"/>).
    /// </summary>
    /// <param name="query">The search terms.</param>
    /// <param name="limit">How many results, 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The results, or why not.</returns>
    /// <exception cref="InvalidOperationException">The gateway is configured with an empty project or language.</exception>
    public Task<WikimediaApiResult<WikimediaSearchResults>> SearchPagesAsync(string query, int limit = 10, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfOutOfRange(limit);
        return GetAsync(ConfiguredWiki(SearchRoute(query, limit)), ReadSearchResults, cancellationToken);
    }

    /// <summary>
    /// Searches page titles and content on the gateway: <c>core/v1/{project}/{language}/search/page?q=...&amp;limit=...</c>.
    /// Only for the gateway; <see cref="SearchPagesAsync(string, int, CancellationToken)"/> works with both.
    /// </summary>
    /// <param name="project">The project.</param>
    /// <param name="language">The language code.</param>
    /// <param name="query">The search terms.</param>
    /// <param name="limit">How many results, 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The results, or why not.</returns>
    /// <exception cref="InvalidOperationException">
    /// The base address is a wiki's REST root, which serves one wiki whatever the project and language say; nothing is sent.
    /// </exception>
    public Task<WikimediaApiResult<WikimediaSearchResults>> SearchPagesAsync(string project, string language, string query, int limit = 10, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(project);
        ArgumentException.ThrowIfNullOrWhiteSpace(language);
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfOutOfRange(limit);
        return GetAsync(GatewayWiki(project, language, SearchRoute(query, limit), "SearchPagesAsync(query, limit)"), ReadSearchResults, cancellationToken);
    }

    /// <summary>Gets the signed-in user's profile from the scheme's profile endpoint.</summary>
    /// <remarks>
    /// Read as at sign-in: a member of the wrong JSON type is left out (null, or an empty list), and only an answer
    /// without a usable <c>sub</c> fails.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profile, or why not.</returns>
    public Task<WikimediaApiResult<WikimediaProfile>> GetProfileAsync(CancellationToken cancellationToken = default)
    {
        var endpoint = _authenticationOptions.Get(_apiOptions.CurrentValue.AuthenticationScheme).UserInformationEndpoint;
        return GetAsync(new Uri(endpoint, UriKind.RelativeOrAbsolute), static body => WikimediaProfileJson.Read(body), cancellationToken);
    }

    /// <summary>
    /// Gets a page with its wikitext from the configured wiki: <c>{rest root}v1/page/{title}</c>, or
    /// <c>core/v1/{Project}/{Language}/page/{title}</c> on the gateway. <see cref="WikimediaPageSource.Latest"/> is the
    /// revision to base an edit on (<see cref="EditPageAsync"/>).
    /// </summary>
    /// <param name="title">The title, as a reader writes it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, <see cref="WikimediaApiStatus.NotFound"/> when it does not exist yet, or why not.</returns>
    /// <exception cref="InvalidOperationException">The gateway is configured with an empty project or language.</exception>
    public Task<WikimediaApiResult<WikimediaPageSource>> GetPageSourceAsync(string title, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return GetAsync(ConfiguredWiki($"page/{Title(title)}"), ReadPageSource, cancellationToken);
    }

    /// <summary>
    /// Gets a page's latest revisions, newest first (who saved each, when, with which summary), from the configured
    /// wiki: <c>{rest root}v1/page/{title}/history</c>, or <c>core/v1/{Project}/{Language}/page/{title}/history</c>.
    /// </summary>
    /// <param name="title">The title, as a reader writes it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The history, or why not.</returns>
    /// <exception cref="InvalidOperationException">The gateway is configured with an empty project or language.</exception>
    public Task<WikimediaApiResult<WikimediaPageHistory>> GetPageHistoryAsync(string title, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return GetAsync(ConfiguredWiki($"page/{Title(title)}/history"), ReadHistory, cancellationToken);
    }

    /// <summary>
    /// Saves a page as the signed-in user: <c>PUT {rest root}v1/page/{title}</c>, or
    /// <c>PUT core/v1/{Project}/{Language}/page/{title}</c> on the gateway, with the JSON body <c>source</c>,
    /// <c>comment</c> and <c>latest: {id}</c>. Without <paramref name="latestRevisionId"/> the page is created, and an
    /// existing page is an <see cref="WikimediaApiStatus.EditConflict"/>.
    /// </summary>
    /// <remarks>
    /// The edit appears in the page's history as the user, tagged with the consumer (<c>OAuth CID: n</c>). An
    /// OAuth-authenticated request needs no CSRF token. The call is sent once: it is repeated only when the wiki
    /// refused the token itself (401, or MediaWiki's 403 <c>rest-read-denied</c>), which it does before saving
    /// anything, after one refresh. A conflict, a rate limit, a 5xx or a time-out is returned, never retried: after a
    /// time-out the edit may have been saved, so read the page (<see cref="GetPageSourceAsync"/>) before sending it again.
    /// </remarks>
    /// <param name="title">The title, as a reader writes it.</param>
    /// <param name="source">The page's new wikitext, whole.</param>
    /// <param name="comment">The edit summary; may be empty.</param>
    /// <param name="latestRevisionId">
    /// The revision the new text is based on (<see cref="WikimediaPageSource.Latest"/>); null to create the page.
    /// </param>
    /// <param name="contentModel">The content model (<c>wikitext</c>, <c>json</c>, ...); null keeps the page's own.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The page as saved (HTTP 201 when created, 200 when updated or unchanged), or <see cref="WikimediaApiStatus.EditConflict"/>,
    /// <see cref="WikimediaApiStatus.PermissionDenied"/>, <see cref="WikimediaApiStatus.Protected"/>,
    /// <see cref="WikimediaApiStatus.RateLimited"/>, <see cref="WikimediaApiStatus.NotFound"/> (a revision given for
    /// a page that does not exist), <see cref="WikimediaApiStatus.NotAuthenticated"/>, <see cref="WikimediaApiStatus.Unauthorized"/>
    /// or <see cref="WikimediaApiStatus.Failed"/>.
    /// </returns>
    /// <exception cref="InvalidOperationException">The gateway is configured with an empty project or language.</exception>
    public Task<WikimediaApiResult<WikimediaPageSource>> EditPageAsync(
        string title, string source, string comment, long? latestRevisionId, string? contentModel = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(comment);
        if (latestRevisionId is { } latest)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(latest, 1, nameof(latestRevisionId));
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(
            new WikimediaPageEditRequest(source, comment, latestRevisionId is { } id ? new WikimediaPageEditBase(id) : null, contentModel),
            WikimediaJsonContext.Default.WikimediaPageEditRequest);
        var uri = ConfiguredWiki($"page/{Title(title)}");
        // Bytes in memory: WikimediaBearerTokenHandler can send them again after a refused token.
        return SendAsync(
            () => new HttpRequestMessage(HttpMethod.Put, uri)
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") { CharSet = "utf-8" } } },
            },
            ReadPageSource,
            write: true,
            cancellationToken);
    }

    private static WikimediaPage? ReadPage(byte[] body) => JsonSerializer.Deserialize(body, WikimediaJsonContext.Default.WikimediaPage);

    private static WikimediaSearchResults? ReadSearchResults(byte[] body) => JsonSerializer.Deserialize(body, WikimediaJsonContext.Default.WikimediaSearchResults);

    private static WikimediaPageSource? ReadPageSource(byte[] body) => JsonSerializer.Deserialize(body, WikimediaJsonContext.Default.WikimediaPageSource);

    private static WikimediaPageHistory? ReadHistory(byte[] body) => JsonSerializer.Deserialize(body, WikimediaJsonContext.Default.WikimediaPageHistory);

    private Task<WikimediaApiResult<T>> GetAsync<T>(Uri uri, Func<byte[], T?> read, CancellationToken cancellationToken)
        => SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), read, write: false, cancellationToken);

    // read takes the body of a 2xx answer: null or a JsonException makes the result a failure. write: the request
    // changes the wiki, whose refusals (docs/protocol.md, "Editing") get statuses of their own.
    private async Task<WikimediaApiResult<T>> SendAsync<T>(Func<HttpRequestMessage> create, Func<byte[], T?> read, bool write, CancellationToken cancellationToken)
    {
        using var request = create();
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
            return Failure<T>(WikimediaApiStatus.Failed, null, write
                ? "The Wikimedia API did not answer in time; the edit may have been saved all the same: read the page before sending it again."
                : "The Wikimedia API did not answer in time.");
        }

        using (response)
        {
            if (request.Options.TryGetValue(WikimediaBearerTokenHandler.TokenStatusKey, out var tokenStatus))
            {
                return new WikimediaApiResult<T> { Status = WikimediaApiStatus.NotAuthenticated, TokenStatus = tokenStatus, Message = "No Wikimedia access token: " + tokenStatus };
            }

            if (write)
            {
                return await WriteResultAsync(response, read, cancellationToken);
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
                return Failure<T>(status, response.StatusCode, $"The Wikimedia API answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.") with { RetryAfter = RetryAfter(response) };
            }

            return await ReadValueAsync(response, read, cancellationToken);
        }
    }

    /// <summary>An edit's answer (docs/protocol.md, "Editing"): 200 or 201 with the page, or a refusal of its own kind.</summary>
    private async Task<WikimediaApiResult<T>> WriteResultAsync<T>(HttpResponseMessage response, Func<byte[], T?> read, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created)
        {
            return await ReadValueAsync(response, read, cancellationToken);
        }

        var error = await WikimediaEditError.ReadAsync(response, cancellationToken);
        var status = WikimediaEditError.Status(response.StatusCode, error.Code);
        var message = $"The Wikimedia API answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}" + (error.Text is { } text ? ": " + text : ".");
        return Failure<T>(status, response.StatusCode, message) with { RetryAfter = RetryAfter(response), ErrorCode = error.Code };
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
        => response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date ? Max(date - _time.GetUtcNow(), TimeSpan.Zero) : null)
            : null;

    private static async Task<WikimediaApiResult<T>> ReadValueAsync<T>(HttpResponseMessage response, Func<byte[], T?> read, CancellationToken cancellationToken)
    {
        try
        {
            // JSON is UTF-8 (RFC 8259 section 8.1) whatever charset the header names, so the bytes are parsed as
            // they are: an unknown or wrong charset is not a failure.
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var value = body.Length == 0 ? default : read(body);
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

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static WikimediaApiResult<T> Failure<T>(WikimediaApiStatus status, HttpStatusCode? code, string message)
        => new() { Status = status, StatusCode = code, Message = message };

    /// <summary>
    /// The base the requests go to: the HttpClient's, which is where they would go anyway (the options' when it has
    /// none), with the trailing slash that keeps <c>.../rest.php</c> from losing its last segment.
    /// </summary>
    private Uri Root => WikimediaApiRoot.WithTrailingSlash(_http.BaseAddress ?? _apiOptions.CurrentValue.BaseAddress);

    /// <summary>A route of the wiki the options name: the REST root's own wiki, or Project and Language on the gateway.</summary>
    private Uri ConfiguredWiki(string route)
    {
        var root = Root;
        if (WikimediaApiRoot.IsRestRoot(root))
        {
            return new Uri(root, "v1/" + route);
        }

        var options = _apiOptions.CurrentValue;
        if (string.IsNullOrWhiteSpace(options.Project) || string.IsNullOrWhiteSpace(options.Language))
        {
            throw new InvalidOperationException(
                $"{WikimediaApiOptions.ConfigurationSection}:Project and {WikimediaApiOptions.ConfigurationSection}:Language must name the wiki that the API gateway {root} is asked for.");
        }

        return new Uri(root, $"core/v1/{Uri.EscapeDataString(options.Project)}/{Uri.EscapeDataString(options.Language)}/{route}");
    }

    /// <summary>A route of the wiki the caller names, which only the gateway can choose.</summary>
    private Uri GatewayWiki(string project, string language, string route, string instead)
    {
        var root = Root;
        if (WikimediaApiRoot.IsRestRoot(root))
        {
            // A REST root answers for its own wiki whatever project and language the caller meant: sending the call
            // would return another wiki's page as if it were the one asked for. A result could pass for an outage
            // and hide the mismatch, so the call is refused before anything is sent.
            throw new InvalidOperationException(
                $"{WikimediaApiOptions.ConfigurationSection}:BaseAddress ({root}) is a wiki's REST root, which serves that wiki only, so a call " +
                $"that names the project and language ('{project}', '{language}') cannot be honoured. Call {instead}, which uses the configured wiki, " +
                "or set the base address to the API gateway to choose the wiki per call.");
        }

        return new Uri(root, $"core/v1/{Uri.EscapeDataString(project)}/{Uri.EscapeDataString(language)}/{route}");
    }

    private static string SearchRoute(string query, int limit) => $"search/page?q={Uri.EscapeDataString(query)}&limit={limit}";

    private static void ThrowIfOutOfRange(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 100);
    }

    /// <summary>MediaWiki keys use underscores for spaces; everything else (/, ?, #, non-ASCII) is percent-encoded.</summary>
    private static string Title(string title) => Uri.EscapeDataString(title.Trim().Replace(' ', '_'));
}
