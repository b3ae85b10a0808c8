using System.Net;
using System.Text;
using AspNet.Security.OAuth.Wikimedia.Testing.Internal;
using Microsoft.AspNetCore.Http;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.ResponseProviders;
using WireMock.Server;
using WireMock.Settings;

namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// An in-process, stateful emulator of Wikimedia's OAuth 2.0 server and REST API, listening on a loopback port.
/// It behaves as docs/protocol.md says the real server does, quirks included, and records every request.
/// </summary>
/// <remarks>
/// WireMock.Net listens, matches the routes, keeps the request log behind <see cref="Requests"/>, and builds the
/// answers of faults, delays included. The OAuth server's state (codes, tokens, grants, rotation, the consent page)
/// is this package's own code, called per request (docs/emulator.md, "Why the emulator is built this way").
/// </remarks>
/// <example>
/// <code>
/// using var wikimedia = WikimediaEmulator.Start(o => o.AutoApproveAs = "Example User");
/// builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie().AddWikimedia(o => o.UseEmulator(wikimedia));
/// // sign in as usual; then assert on wikimedia.Requests
/// </code>
/// </example>
public sealed class WikimediaEmulator : IDisposable
{
    private const string RestRoot = "/w/rest.php";
    private readonly WireMockServer _server;
    private readonly GrantStore _store;
    private readonly AuthorizeEndpoint _authorize;
    private readonly TokenEndpoint _token;
    private readonly ResourceEndpoints _resources;
    private readonly PageStore _pages;
    private readonly PageEndpoints _pageEndpoints;
    private readonly Journal _journal;

    // Completed when the emulator stops: requests that a fault is still holding are answered at once then.
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WikimediaEmulator(WikimediaEmulatorOptions options)
    {
        Options = options;
        _store = new GrantStore(options);
        _authorize = new AuthorizeEndpoint(options, _store);
        _token = new TokenEndpoint(options, _store);
        _pages = new PageStore(options);
        _resources = new ResourceEndpoints(options, _store, _pages);
        _pageEndpoints = new PageEndpoints(options, _store, _pages);
        _server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{options.Port}"],
            StartAdminInterface = false,
            DisableDeserializeFormUrlEncoded = true,
            DisableJsonBodyParsing = true,
            // WireMock's request log is the journal (Requests): it keeps this many answered requests.
            MaxRequestLogCount = options.MaxJournalEntries,
        });
        _journal = new Journal(_server);
        Map();
    }

    /// <summary>Gets the emulator's settings; they may be changed while it runs.</summary>
    public WikimediaEmulatorOptions Options { get; }

    /// <summary>Gets the faults injected into the endpoints.</summary>
    public EmulatorFaults Faults { get; } = new();

    /// <summary>Gets the base address, for example <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseAddress => new(_server.Url! + "/");

    /// <summary>Gets the REST root to use as <c>WikimediaAuthenticationOptions.Authority</c>.</summary>
    public string Authority => _server.Url + RestRoot;

    /// <summary>Gets the base address of the API gateway's routes (<c>core/v1/...</c>), the stand-in for <c>https://api.wikimedia.org/</c>.</summary>
    public Uri ApiBaseAddress => BaseAddress;

    /// <summary>
    /// Gets the per-wiki REST root, <c>{BaseAddress}w/rest.php/</c>, the stand-in for a wiki's own REST API such as
    /// <c>https://en.wikipedia.org/w/rest.php/</c>: its <c>v1/page/{title}/bare</c> and <c>v1/search/page</c> serve the
    /// English Wikipedia pages of <see cref="WikimediaEmulatorOptions.Pages"/>, with the same token rules and the same
    /// <see cref="EmulatorEndpoint.Api"/> faults as the gateway's routes.
    /// </summary>
    public Uri RestApiBaseAddress => new(BaseAddress, RestRoot.TrimStart('/') + "/");

    /// <summary>Gets every request received so far, oldest first.</summary>
    public IReadOnlyList<EmulatorRequest> Requests => _journal.Snapshot();

    /// <summary>Gets the token endpoint requests received so far.</summary>
    public IReadOnlyList<EmulatorRequest> TokenRequests => Requests.Where(r => r.IsToken).ToArray();

    /// <summary>Starts an emulator on a free loopback port.</summary>
    /// <param name="configure">Changes to the default settings.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static WikimediaEmulator Start(Action<WikimediaEmulatorOptions>? configure = null)
    {
        var options = new WikimediaEmulatorOptions();
        configure?.Invoke(options);
        return new WikimediaEmulator(options);
    }

    /// <summary>Finds a registered client.</summary>
    /// <param name="clientId">The consumer key.</param>
    /// <returns>The client.</returns>
    public EmulatorClient Client(string clientId = WikimediaEmulatorOptions.DefaultClientId)
        => Options.Clients.FirstOrDefault(c => c.ClientId == clientId) ?? throw new ArgumentException($"No client '{clientId}' is registered.", nameof(clientId));

    /// <summary>Revokes the tokens a user gave (optionally, to one client), as Special:OAuthManageMyGrants does.</summary>
    /// <param name="username">The user name.</param>
    /// <param name="clientId">The consumer key, or null for every consumer.</param>
    /// <returns>How many tokens were revoked.</returns>
    public int RevokeGrants(string username, string? clientId = null) => _store.Revoke(username, clientId);

    /// <summary>
    /// Gets a page's revisions, newest first, with who saved each and its change tags: what the wiki's history shows
    /// after edits through the emulator. Empty when the page does not exist.
    /// </summary>
    /// <param name="title">The title, with spaces or underscores.</param>
    /// <param name="project">The project; the REST root serves <c>wikipedia</c>.</param>
    /// <param name="language">The language; the REST root serves <c>en</c>.</param>
    /// <returns>The revisions.</returns>
    public IReadOnlyList<EmulatorRevision> PageHistory(string title, string project = "wikipedia", string language = "en")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return _pages.History(project, language, PageEndpoints.Title(Uri.EscapeDataString(title)));
    }

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests() => _journal.Clear();

    /// <inheritdoc />
    public void Dispose()
    {
        _stopped.TrySetResult();
        _server.Stop();
        _server.Dispose();
    }

    private void Map()
    {
        Route(Request.Create().UsingGet().WithPath(Exactly(RestRoot + "/oauth2/authorize")), null, _authorize.Authorize);
        Route(Request.Create().UsingPost().WithPath(Exactly(AuthorizeEndpoint.DecisionPath)), null, _authorize.Decide);
        Route(Request.Create().UsingGet().WithPath(Exactly(AuthorizeEndpoint.DecisionPath)), null, _authorize.ConsentForm);
        Route(Request.Create().UsingPost().WithPath(Exactly(RestRoot + "/oauth2/access_token")), EmulatorEndpoint.Token, _token.Handle);
        Route(Request.Create().UsingGet().WithPath(Exactly(RestRoot + "/oauth2/resource/profile")), EmulatorEndpoint.Profile, _resources.Profile);
        Route(Request.Create().UsingGet().WithPath(Exactly(RestRoot + "/oauth2/resource/scopes")), EmulatorEndpoint.Profile, _resources.Scopes);
        // The gateway's /core/v1/{project}/{language}/... and the per-wiki /w/rest.php/v1/...; ServeApi tells the routes apart.
        Route(Request.Create().UsingMethod("GET", "PUT").WithPath(new RegexMatcher(@"^/core/v1/[^/]*/[^/]*/"), new RegexMatcher(@"^/w/rest\.php/v1/")), EmulatorEndpoint.Api, ServeApi);
        // The action API, for the one query that shows an edit's change tags.
        Route(Request.Create().UsingGet().WithPath(Exactly("/w/api.php")), EmulatorEndpoint.Api, _pageEndpoints.ActionQuery);

        // Anything else: the edge's JSON 404, a fixed answer.
        _server.Given(Request.Create().WithPath(new WildcardMatcher("*"))).AtPriority(100).RespondWith(Response.Create()
            .WithStatusCode(HttpStatusCode.NotFound)
            .WithHeader("Content-Type", "application/json; charset=utf-8")
            .WithHeader("Cache-Control", "no-store")
            .WithBody(NotFoundBody, BodyDestinationFormat.SameAsSource, Encoding.UTF8));

        // Exact paths, case included.
        static ExactMatcher Exactly(string path) => new(ignoreCase: false, path);
    }

    private void Route(IRequestBuilder request, EmulatorEndpoint? endpoint, Func<EmulatorRequest, ResponseMessage> handler)
        => _server.Given(request).AtPriority(1).RespondWith(new RouteProvider(this, endpoint, handler));

    private static ResponseMessage Stopping() => Http.Json(HttpStatusCode.ServiceUnavailable, """{"httpCode":503,"httpReason":"Emulator stopping"}""");

    /// <summary>
    /// A fault's answer, as a WireMock response: its status, headers and body, or the real answer (a callback), after
    /// its delay.
    /// </summary>
    private IResponseBuilder FaultResponse(EmulatorFault fault, EmulatorRequest request, Func<EmulatorRequest, ResponseMessage> handler)
    {
        IResponseBuilder response;
        if (fault.StatusCode is { } status)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = fault.ContentType };
            foreach (var (name, value) in fault.Headers)
            {
                headers[name] = value;
            }

            response = Response.Create()
                .WithStatusCode(status)
                .WithHeaders(headers)
                .WithBody(fault.Body, BodyDestinationFormat.SameAsSource, Encoding.UTF8);
        }
        else
        {
            // After a delay the emulator may have stopped: the real answer then changes no state.
            response = Response.Create().WithCallback(_ => _stopped.Task.IsCompleted ? Stopping() : handler(request));
        }

        return fault.Delay > TimeSpan.Zero ? response.WithDelay(fault.Delay) : response;
    }

    /// <summary>
    /// Answers one route: records the request in the journal, then lets the first fault that applies answer (through
    /// WireMock's response builder, delay included), or else the endpoint's handler.
    /// </summary>
    private sealed class RouteProvider(WikimediaEmulator emulator, EmulatorEndpoint? endpoint, Func<EmulatorRequest, ResponseMessage> handler) : IResponseProvider
    {
        public async Task<(IResponseMessage Message, IMapping? Mapping)> ProvideResponseAsync(IMapping mapping, HttpContext context, IRequestMessage requestMessage, WireMockServerSettings settings)
        {
            // MaxJournalEntries may change while the emulator runs.
            var limit = emulator.Options.MaxJournalEntries;
            emulator._server.SetMaxRequestLogCount(limit);
            var request = emulator._journal.Arrived(requestMessage);
            try
            {
                if (endpoint is not { } e || emulator.Faults.Take(e, request) is not { } fault)
                {
                    return (handler(request), null);
                }

                var answer = emulator.FaultResponse(fault, request, handler).ProvideResponseAsync(mapping, context, requestMessage, settings);

                // WireMock's delay cannot be cancelled, and stopping its server waits for it: when the emulator stops,
                // a request that a fault holds is answered at once instead (the delay's timer runs out on its own).
                return await Task.WhenAny(answer, emulator._stopped.Task).ConfigureAwait(false) == answer
                    ? await answer.ConfigureAwait(false)
                    : (Stopping(), null);
            }
            finally
            {
                if (limit <= 0)
                {
                    emulator._journal.Unlogged(requestMessage);
                }
            }
        }
    }

    /// <summary>The edge's answer to a path it does not know.</summary>
    private const string NotFoundBody = """{"httpCode":404,"httpReason":"Not Found"}""";

    private ResponseMessage ServeApi(EmulatorRequest request)
    {
        // WireMock matched the decoded path; the raw one decides (an encoded '/' stays in a title).
        if (ApiRoute(request.Path) is not (var project, var language, var rest))
        {
            return Http.Json(HttpStatusCode.NotFound, NotFoundBody);
        }

        if (request.Method == "PUT")
        {
            return rest.StartsWith("page/", StringComparison.Ordinal) && rest.IndexOf('/', "page/".Length) < 0
                ? _pageEndpoints.Edit(request, project, language, rest["page/".Length..])
                : Http.Json(HttpStatusCode.NotFound, NotFoundBody);
        }

        if (rest.StartsWith("page/", StringComparison.Ordinal) && rest.IndexOf('/', "page/".Length) < 0)
        {
            return _pageEndpoints.Source(request, project, language, rest["page/".Length..]);
        }

        if (rest.StartsWith("page/", StringComparison.Ordinal) && rest.EndsWith("/history", StringComparison.Ordinal) && rest.IndexOf('/', "page/".Length) == rest.Length - "/history".Length)
        {
            return _pageEndpoints.History(request, project, language, rest["page/".Length..^"/history".Length]);
        }

        if (rest.StartsWith("page/", StringComparison.Ordinal) && rest.EndsWith("/bare", StringComparison.Ordinal))
        {
            return _resources.PageBare(request, project, language, rest["page/".Length..^"/bare".Length]);
        }

        return rest == "search/page"
            ? _resources.Search(request, project, language)
            : Http.Json(HttpStatusCode.NotFound, NotFoundBody);
    }

    /// <summary>
    /// Splits <c>/core/v1/{project}/{language}/{rest}</c> (the gateway) or <c>/w/rest.php/v1/{rest}</c> (the per-wiki
    /// route, served as English Wikipedia). Works on the raw path so that an encoded <c>/</c> in a title stays in it.
    /// </summary>
    private static (string Project, string Language, string Remainder)? ApiRoute(string path)
    {
        if (path.StartsWith(RestRoot + "/v1/", StringComparison.Ordinal))
        {
            return ("wikipedia", "en", path[(RestRoot.Length + "/v1/".Length)..]);
        }

        var parts = path.Split('/', 5);
        return parts is ["", "core", "v1", var project, var tail] && tail.Split('/', 2) is [var language, var rest]
            ? (project, language, rest)
            : null;
    }
}
