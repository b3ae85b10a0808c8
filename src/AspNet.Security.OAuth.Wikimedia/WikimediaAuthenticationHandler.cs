using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using AspNet.Security.OAuth.Wikimedia.ClaimMapping;
using AspNet.Security.OAuth.Wikimedia.Diagnostics;
using AspNet.Security.OAuth.Wikimedia.Json;
using AspNet.Security.OAuth.Wikimedia.Protocol;
using AspNet.Security.OAuth.Wikimedia.Sessions;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Authenticates users with Wikimedia (MediaWiki's Extension:OAuth, OAuth 2.0 authorization code flow with PKCE).
/// </summary>
/// <remarks>
/// The protocol steps are those of <see cref="OAuthHandler{TOptions}"/>, overridden where Wikimedia differs
/// (see <c>docs/protocol.md</c>): a Cancel comes back without <c>state</c>, the scope is omitted rather than
/// empty, the profile may be labelled <c>text/html</c>, and every request carries a descriptive User-Agent.
/// </remarks>
public partial class WikimediaAuthenticationHandler : OAuthHandler<WikimediaAuthenticationOptions>
{
    /// <summary>
    /// Initializes a new <see cref="WikimediaAuthenticationHandler"/>.
    /// </summary>
    /// <param name="options">The monitor of the handler's options.</param>
    /// <param name="logger">The logger factory.</param>
    /// <param name="encoder">The URL encoder.</param>
    public WikimediaAuthenticationHandler(
        IOptionsMonitor<WikimediaAuthenticationOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder)
        : base(options, logger, encoder)
    {
    }

    /// <summary>
    /// Gets or sets the events; they include the token-refresh events.
    /// </summary>
    protected new WikimediaAuthenticationEvents Events
    {
        get => (WikimediaAuthenticationEvents)base.Events;
        set => base.Events = value;
    }

    /// <inheritdoc />
    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new WikimediaAuthenticationEvents());

    /// <summary>
    /// The prefix of the cookies that keep the protected state of each sign-in under way (one per sign-in, so that
    /// sign-ins in several tabs do not overwrite each other), so that a Cancel, which Wikimedia sends back without
    /// <c>state</c>, can still find its return URL and correlation cookie.
    /// </summary>
    private string PendingStatePrefix => Options.CorrelationCookie.Name + Scheme.Name + ".State.";

    /// <summary>The key of the item in which the base handler keeps the correlation id.</summary>
    private const string CorrelationProperty = ".xsrf";

    /// <summary>The most sign-ins whose state is kept for a Cancel at once.</summary>
    private const int MaxPendingSignIns = 3;

    /// <summary>The longest protected state kept for a Cancel: a state with a long return URL is about 1.5 KB.</summary>
    private const int MaxPendingStateLength = 2048;

    private string PendingStateCookie(AuthenticationProperties properties)
        => PendingStatePrefix + (properties.Items.TryGetValue(CorrelationProperty, out var id) && id is { Length: >= 16 } ? id[..16] : "none");

    /// <inheritdoc />
    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        var scopes = properties.GetParameter<ICollection<string>>(OAuthChallengeProperties.ScopeKey) ?? Options.Scope;
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = Options.ClientId,
            // Always sent, byte-equal to the one registered: without it a Cancel strands the user on the wiki
            // (docs/protocol.md section 2).
            ["redirect_uri"] = redirectUri,
        };

        // An empty scope asks for every grant the consumer registered; omitting the parameter means the same
        // and keeps the URL clean (docs/protocol.md section 2).
        var scope = FormatScope(scopes);
        if (!string.IsNullOrWhiteSpace(scope))
        {
            parameters["scope"] = scope;
        }

        if (Options.UsePkce)
        {
            // RFC 7636 section 4.1: 32 random octets, base64url, 43 characters.
            var verifier = Base64UrlTextEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            properties.Items[OAuthConstants.CodeVerifierKey] = verifier;
            parameters[OAuthConstants.CodeChallengeKey] = Base64UrlTextEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            parameters[OAuthConstants.CodeChallengeMethodKey] = OAuthConstants.CodeChallengeMethodS256;
        }

        var state = Options.StateDataFormat.Protect(properties);
        parameters["state"] = state;
        KeepPendingSignIn(properties, state);
        Log.ChallengeBuilt(Logger, Options.AuthorizationEndpoint, Options.UsePkce, scope);

        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(Options.AuthorizationEndpoint, parameters);
    }

    /// <summary>
    /// The state of the sign-in this request completes, once its correlation was checked: a failure after that (the
    /// profile, the session store) keeps its return URL for <c>OnRemoteFailure</c>, which the base handler would lose
    /// with an exception.
    /// </summary>
    private AuthenticationProperties? _signIn;

    /// <summary>
    /// The return URL of the ticket this request signs in with, kept apart: the base handler clears the ticket's before
    /// it signs in, and a session store that fails there still needs it for <c>OnRemoteFailure</c>.
    /// </summary>
    private string? _returnUri;

    /// <inheritdoc />
    /// <remarks>
    /// A sign-in that succeeded at Wikimedia but whose server-side session could not be stored (the distributed cache
    /// is down: Sessions/DistributedSessionStore.cs) ends as a failed sign-in, through <c>OnRemoteFailure</c>, as
    /// other sign-in failures do, instead of an error page.
    /// </remarks>
    public override async Task<bool> HandleRequestAsync()
    {
        try
        {
            return await base.HandleRequestAsync();
        }
        catch (SessionStoreUnavailableException ex) when (!Response.HasStarted)
        {
            var failure = new RemoteFailureContext(Context, Scheme, Options, ex) { Properties = new AuthenticationProperties { RedirectUri = _returnUri ?? _signIn?.RedirectUri } };
            await Events.RemoteFailure(failure);
            if (failure.Result is { } result)
            {
                if (result.Handled)
                {
                    return true;
                }

                if (result.Skipped)
                {
                    return false;
                }

                if (result.Failure is not null)
                {
                    throw new AuthenticationFailureException("An error was returned from the RemoteFailure event.", result.Failure);
                }
            }

            throw new AuthenticationFailureException("An error was encountered while handling the remote login.", failure.Failure);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Only an answer without <c>state</c> is handled here; the rest is the base handler's flow (state, correlation,
    /// <c>error</c>/<c>error_description</c>/<c>error_uri</c>, code exchange, saved tokens, ticket).
    /// </remarks>
    protected override async Task<HandleRequestResult> HandleRemoteAuthenticateAsync()
    {
        var query = Request.Query;
        if (StringValues.IsNullOrEmpty(query["state"]) && query["error"] is var error && !StringValues.IsNullOrEmpty(error))
        {
            using var answer = WikimediaActivities.Start(WikimediaActivities.SignIn, Scheme.Name);
            answer.Failed(error.ToString());
            return await AnswerWithoutStateAsync(error, query["error_description"], query["error_uri"]);
        }

        using var activity = WikimediaActivities.Start(WikimediaActivities.SignIn, Scheme.Name);
        HandleRequestResult result;
        try
        {
            result = await base.HandleRemoteAuthenticateAsync();
        }
        catch (AuthenticationFailureException ex) when (_signIn is not null)
        {
            result = HandleRequestResult.Fail(ex, _signIn);
        }

        if (result.Succeeded)
        {
            _returnUri = result.Ticket?.Properties.RedirectUri;
            activity.Succeeded();
            Log.SignedIn(Logger, result.Principal?.FindFirstValue(ClaimTypes.NameIdentifier));
        }
        else if (result.Failure is { } failure)
        {
            activity.Failed(failure.Data["error"] as string is { Length: > 0 } code ? code : failure.GetType().Name, failure.Message);
            Log.SignInFailed(Logger, failure.Message);
        }

        return result;
    }

    /// <inheritdoc />
    /// <remarks>The sign-in's pending-state cookie (kept for a Cancel) is spent with its correlation cookie.</remarks>
    protected override bool ValidateCorrelationId(AuthenticationProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        Response.Cookies.Delete(PendingStateCookie(properties), Options.CorrelationCookie.Build(Context, TimeProvider.GetUtcNow()));
        if (!base.ValidateCorrelationId(properties))
        {
            return false;
        }

        _signIn = properties;
        return true;
    }

    /// <summary>
    /// Wikimedia's Cancel is <c>error=unauthorized_client</c> without <c>state</c> (docs/protocol.md); the base
    /// handler would call it "The oauth state was missing or invalid." and never reach the access-denied path. The
    /// return URL of the sign-in under way is taken from its cookie instead (<see cref="FindPendingSignIn"/>), so that
    /// the user returns where they started.
    /// </summary>
    private async Task<HandleRequestResult> AnswerWithoutStateAsync(StringValues error, StringValues description, StringValues uri)
    {
        var pending = FindPendingSignIn();
        if (error == "unauthorized_client" || error == "access_denied")
        {
            Log.AuthorizationDeniedWithoutState(Logger, error.ToString());
            var denied = await HandleAccessDeniedErrorAsync(pending);
            return denied.None
                ? HandleRequestResult.Fail(AuthorizationError("Access was denied by the resource owner or by the remote server.", error, description, uri), pending)
                : denied;
        }

        Log.AuthorizationErrorWithoutState(Logger, error.ToString());
        var message = StringValues.IsNullOrEmpty(description)
            ? $"Wikimedia's authorization endpoint returned the error '{error}'."
            : $"Wikimedia's authorization endpoint returned the error '{error}': {description}";
        return HandleRequestResult.Fail(AuthorizationError(message, error, description, uri), pending);
    }

    /// <inheritdoc />
    protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", context.Code),
            new("redirect_uri", context.RedirectUri),
        };

        // RFC 7636 section 4.5. The verifier must not be sent when no challenge was (docs/protocol.md section 4).
        if (context.Properties.Items.TryGetValue(OAuthConstants.CodeVerifierKey, out var verifier) && verifier is not null)
        {
            parameters.Add(new(OAuthConstants.CodeVerifierKey, verifier));
            context.Properties.Items.Remove(OAuthConstants.CodeVerifierKey);
        }

        try
        {
            return await WikimediaTokenEndpoint.RequestAsync(Scheme.Name, Backchannel, Options, parameters, Context.RequestAborted);
        }
        catch (BackchannelException ex)
        {
            return OAuthTokenResponse.Failed(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !Context.RequestAborted.IsCancellationRequested)
        {
            return OAuthTokenResponse.Failed(WikimediaBackchannel.AddedHandlerFailed("token", Options.TokenEndpoint, ex));
        }
    }

    /// <inheritdoc />
    protected override async Task<AuthenticationTicket> CreateTicketAsync(
        ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        CheckGrantedScopes(tokens.AccessToken);
        if (Options.SaveTokens)
        {
            // The base handler has just saved the tokens as it reads them; they are saved again by the writer the
            // refresh uses (Tokens/SessionTokens.cs): the lifetime believed within bounds, and the bookkeeping that
            // marks the session for automatic refresh.
            SessionTokens.StoreSignIn(properties, Scheme.Name, SessionTokens.FromResponse(tokens, TimeProvider.GetUtcNow()), Options.RefreshBeforeExpiration);
        }

        using var request = WikimediaBackchannel.CreateRequest(HttpMethod.Get, Options.UserInformationEndpoint, Options);
        // The word Bearer is case sensitive on Wikimedia (docs/protocol.md section 6).
        request.Headers.Authorization = new("Bearer", tokens.AccessToken);
        using var response = await SendProfileRequestAsync(request);
        var endpoint = WikimediaBackchannel.Describe(request);
        var status = (int)response.StatusCode;

        if (!response.IsSuccessStatusCode)
        {
            throw new BackchannelException(
                $"The Wikimedia profile endpoint ({endpoint}) answered HTTP {status} {response.ReasonPhrase}.",
                null, error: null, status, isTransient: status >= 500);
        }

        using var payload = await WikimediaBackchannel.TryReadJsonObjectAsync(response, Context.RequestAborted)
            ?? throw new BackchannelException(
                $"The Wikimedia profile endpoint ({endpoint}) answered HTTP {status} with a body that is not a JSON object.",
                null, error: null, status, isTransient: true);

        // One parse: the claim actions of the app (MapJsonKey) read this JSON, the built-in ones the typed profile read
        // from it. Only a missing or unusable sub refuses the profile; sub was a number before December 2024
        // (docs/protocol.md section 6).
        var profile = WikimediaProfileJson.Read(payload.RootElement)
            ?? throw new BackchannelException(
                $"The Wikimedia profile endpoint ({endpoint}) answered HTTP {status} without a 'sub' string or number.",
                null, error: null, status, isTransient: false);

        var principal = new ClaimsPrincipal(identity);
        var context = new OAuthCreatingTicketContext(principal, properties, Context, Scheme, Options, Backchannel, tokens, payload.RootElement);
        RunClaimActions(context, profile);
        await Events.CreatingTicket(context);
        return new AuthenticationTicket(context.Principal!, context.Properties, Scheme.Name);
    }

    private async Task<HttpResponseMessage> SendProfileRequestAsync(HttpRequestMessage request)
    {
        try
        {
            return await WikimediaBackchannel.SendAsync(Backchannel, request, "profile", Context.RequestAborted);
        }
        catch (Exception ex) when (ex is not BackchannelException && (ex is not OperationCanceledException || !Context.RequestAborted.IsCancellationRequested))
        {
            throw WikimediaBackchannel.AddedHandlerFailed("profile", Options.UserInformationEndpoint, ex);
        }
    }

    /// <summary>
    /// What <see cref="OAuthCreatingTicketContext.RunClaimActions()"/> does, in the same order, so that an app's
    /// <c>DeleteClaim</c> still removes what the actions before it added, except that the built-in actions get the
    /// profile already read instead of reading it again from the JSON.
    /// </summary>
    private void RunClaimActions(OAuthCreatingTicketContext context, WikimediaProfile profile)
    {
        var identity = context.Identity!;
        var issuer = Options.ClaimsIssuer ?? Scheme.Name;
        foreach (var action in Options.ClaimActions)
        {
            if (action is ProfileClaimAction typed)
            {
                typed.Run(profile, identity, issuer);
            }
            else
            {
                action.Run(context.User, identity, issuer);
            }
        }
    }

    /// <summary>
    /// The server drops requested scopes that the consumer did not register, and when none is left it still issues a
    /// token, with which every call, the profile included, fails with HTTP 500 (docs/protocol.md section 2). That
    /// would read as "Wikimedia is down"; the token's own <c>scopes</c> claim says what really happened.
    /// </summary>
    private void CheckGrantedScopes(string? accessToken)
    {
        if (Options.Scope.Count == 0 || GrantedScopes.Read(accessToken) is not { } granted)
        {
            return;
        }

        var missing = Options.Scope.Except(granted, StringComparer.Ordinal).ToArray();
        if (missing.Length == 0)
        {
            return;
        }

        if (granted.Count == 0)
        {
            var exception = new AuthenticationFailureException(
                $"Wikimedia granted none of the requested scopes ({string.Join(' ', missing)}): the consumer '{Options.ClientId}' has not " +
                "registered them, and the token it issued cannot be used. Register those grants for the consumer, or remove the scope " +
                $"(configuration key Authentication:Schemes:{Scheme.Name}:Scope) to get every grant the consumer has.");
            exception.Data["error"] = "insufficient_scope";
            exception.Data["error_description"] = exception.Message;
            throw exception;
        }

        Log.ScopesNotGranted(Logger, string.Join(' ', missing), string.Join(' ', granted));
    }

    /// <inheritdoc />
    protected override string FormatScope(IEnumerable<string> scopes) => string.Join(' ', scopes);

    /// <summary>
    /// Keeps the protected state of this sign-in for a Cancel to find, within bounds: a site that makes a browser start
    /// sign-ins with long return URLs must not grow its Cookie header past what the callback accepts (Kestrel answers
    /// 431, nginx 400). So the cookie is SameSite=Lax (a cross-site subrequest cannot set it; Wikimedia's redirect
    /// back is a top-level GET, which sends it), a state over <see cref="MaxPendingStateLength"/> is not kept (its
    /// Cancel lands without a return URL), and at most <see cref="MaxPendingSignIns"/> are kept at once.
    /// </summary>
    private void KeepPendingSignIn(AuthenticationProperties properties, string state)
    {
        var cookieOptions = Options.CorrelationCookie.Build(Context, TimeProvider.GetUtcNow());
        cookieOptions.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax;
        var others = Request.Cookies.Keys.Where(k => k.StartsWith(PendingStatePrefix, StringComparison.Ordinal)).ToArray();
        if (others.Length >= MaxPendingSignIns)
        {
            // Which is oldest is not known without decrypting them all; they only serve a Cancel's return URL, and
            // their sign-ins go on without them.
            foreach (var other in others)
            {
                Response.Cookies.Delete(other, cookieOptions);
            }
        }

        if (state.Length <= MaxPendingStateLength)
        {
            Response.Cookies.Append(PendingStateCookie(properties), state, cookieOptions);
        }
    }

    /// <summary>
    /// Finds where an answer without <c>state</c> should land. Nothing in it names its sign-in, and the browser may
    /// have several under way (tabs), or have let the right one expire, so it spends nothing: no correlation cookie
    /// is checked off and no other sign-in is disturbed; each goes on or expires by itself. The answer keeps only
    /// the return URL that the sign-ins under way share, if they share one.
    /// </summary>
    private AuthenticationProperties FindPendingSignIn()
    {
        var returnUrls = new HashSet<string?>(StringComparer.Ordinal);
        var count = 0;
        foreach (var (name, value) in Request.Cookies)
        {
            if (!name.StartsWith(PendingStatePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var properties = Options.StateDataFormat.Unprotect(value);
            if (properties is not null && properties.Items.TryGetValue(CorrelationProperty, out var id) && id is not null &&
                Request.Cookies.ContainsKey(Options.CorrelationCookie.Name + id))
            {
                returnUrls.Add(properties.RedirectUri);
                count++;
            }
            else
            {
                // Its sign-in is over (its correlation cookie expired or was spent): only clutter.
                Response.Cookies.Delete(name, Options.CorrelationCookie.Build(Context, TimeProvider.GetUtcNow()));
            }
        }

        if (count > 1)
        {
            Log.AmbiguousAnswerWithoutState(Logger, count);
        }

        return new AuthenticationProperties { RedirectUri = returnUrls.Count == 1 ? returnUrls.Single() : null };
    }

    /// <summary>An authorization error with the <c>Data</c> entries the base handler gives its own.</summary>
    private static AuthenticationFailureException AuthorizationError(string message, StringValues error, StringValues description, StringValues uri)
    {
        var exception = new AuthenticationFailureException(message);
        exception.Data["error"] = error.ToString();
        exception.Data["error_description"] = description.ToString();
        exception.Data["error_uri"] = uri.ToString();
        return exception;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Redirecting to the Wikimedia authorization endpoint {Endpoint} (PKCE: {UsePkce}, scope: '{Scope}').")]
        public static partial void ChallengeBuilt(ILogger logger, string endpoint, bool usePkce, string scope);

        [LoggerMessage(2, LogLevel.Information, "Wikimedia returned '{Error}' without state: the user cancelled on the consent page. Treating it as access denied.")]
        public static partial void AuthorizationDeniedWithoutState(ILogger logger, string error);

        [LoggerMessage(7, LogLevel.Warning, "Wikimedia returned the error '{Error}' without state; the sign-in failed.")]
        public static partial void AuthorizationErrorWithoutState(ILogger logger, string error);

        [LoggerMessage(8, LogLevel.Information, "An answer without state came while {Count} sign-ins were under way in this browser; none of them was ended.")]
        public static partial void AmbiguousAnswerWithoutState(ILogger logger, int count);

        [LoggerMessage(9, LogLevel.Warning, "Wikimedia did not grant the requested scopes '{Missing}' (the consumer has not registered them); the session has '{Granted}'.")]
        public static partial void ScopesNotGranted(ILogger logger, string missing, string granted);

        [LoggerMessage(5, LogLevel.Warning, "Wikimedia sign-in failed: {Reason}")]
        public static partial void SignInFailed(ILogger logger, string reason);

        [LoggerMessage(6, LogLevel.Information, "Wikimedia user {UserId} signed in.")]
        public static partial void SignedIn(ILogger logger, string? userId);
    }
}
