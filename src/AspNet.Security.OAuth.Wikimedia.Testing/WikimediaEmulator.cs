using System.Collections.Concurrent;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing.Internal;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// An in-process, stateful emulator of Wikimedia's OAuth 2.0 server and REST API, listening on a loopback port.
/// It behaves as docs/protocol.md says the real server does, quirks included, and records every request.
/// </summary>
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
    private readonly ConcurrentQueue<EmulatorRequest> _journal = new();
    private readonly CancellationTokenSource _stopping = new();

    private WikimediaEmulator(WikimediaEmulatorOptions options)
    {
        Options = options;
        _store = new GrantStore(options);
        _authorize = new AuthorizeEndpoint(options, _store);
        _token = new TokenEndpoint(options, _store);
        _resources = new ResourceEndpoints(options, _store);
        _server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{options.Port}"],
            StartAdminInterface = false,
            DisableDeserializeFormUrlEncoded = true,
            DisableJsonBodyParsing = true,
            // The journal below is the record; WireMock's own would keep every body twice.
            MaxRequestLogCount = 0,
        });
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
    public IReadOnlyList<EmulatorRequest> Requests => _journal.ToArray();

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

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests() => _journal.Clear();

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Cancel();
        _server.Stop();
        _server.Dispose();
        _stopping.Dispose();
    }

    private void Map()
    {
        Route("GET", p => p == RestRoot + "/oauth2/authorize", null, _authorize.Authorize);
        Route("POST", p => p == AuthorizeEndpoint.DecisionPath, null, _authorize.Decide);
        Route("GET", p => p == AuthorizeEndpoint.DecisionPath, null, _authorize.ConsentForm);
        Route("POST", p => p == RestRoot + "/oauth2/access_token", EmulatorEndpoint.Token, _token.Handle);
        Route("GET", p => p == RestRoot + "/oauth2/resource/profile", EmulatorEndpoint.Profile, _resources.Profile);
        Route("GET", p => p == RestRoot + "/oauth2/resource/scopes", EmulatorEndpoint.Profile, _resources.Scopes);
        Route("GET", p => ApiRoute(p) is not null, EmulatorEndpoint.Api, ServeApi);

        // Anything else: a JSON 404, recorded like the rest.
        _server.Given(Request.Create().WithPath(_ => true)).AtPriority(100).RespondWith(Response.Create().WithCallback(message =>
        {
            Record(Http.Read(message));
            return Http.Json(HttpStatusCode.NotFound, """{"httpCode":404,"httpReason":"Not Found"}""");
        }));
    }

    private void Route(string method, Func<string, bool> path, EmulatorEndpoint? endpoint, Func<EmulatorRequest, ResponseMessage> handler)
    {
        _server.Given(Request.Create().UsingMethod(method).WithPath(path)).AtPriority(1).RespondWith(Response.Create().WithCallback(async message =>
        {
            var request = Http.Read(message);
            Record(request);
            if (endpoint is { } e && Faults.Take(e, request) is { } fault)
            {
                if (fault.Delay > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(fault.Delay, _stopping.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return Http.Json(HttpStatusCode.ServiceUnavailable, """{"httpCode":503,"httpReason":"Emulator stopping"}""");
                    }
                }

                if (fault.StatusCode is { } status)
                {
                    var replacement = Http.Text(status, fault.Body, fault.ContentType);
                    foreach (var (name, value) in fault.Headers)
                    {
                        replacement.AddHeader(name, value);
                    }

                    return (IResponseMessage)replacement;
                }
            }

            return handler(request);
        }));
    }

    private void Record(EmulatorRequest request)
    {
        _journal.Enqueue(request);
        while (_journal.Count > Options.MaxJournalEntries && _journal.TryDequeue(out _))
        {
        }
    }

    private ResponseMessage ServeApi(EmulatorRequest request)
    {
        var (project, language, rest) = ApiRoute(request.Path)!.Value;
        if (rest.StartsWith("page/", StringComparison.Ordinal) && rest.EndsWith("/bare", StringComparison.Ordinal))
        {
            return _resources.PageBare(request, project, language, rest["page/".Length..^"/bare".Length]);
        }

        return rest == "search/page"
            ? _resources.Search(request, project, language)
            : Http.Json(HttpStatusCode.NotFound, """{"httpCode":404,"httpReason":"Not Found"}""");
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
