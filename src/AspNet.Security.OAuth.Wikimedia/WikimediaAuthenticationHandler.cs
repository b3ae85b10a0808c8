using System.Security.Claims;
using System.Text.Encodings.Web;
using AspNet.Security.OAuth.Wikimedia.ClaimMapping;
using AspNet.Security.OAuth.Wikimedia.Diagnostics;
using AspNet.Security.OAuth.Wikimedia.Json;
using AspNet.Security.OAuth.Wikimedia.Protocol;
using AspNet.Security.OAuth.Wikimedia.Sessions;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.WebUtilities;
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

    /// <inheritdoc />
    /// <remarks>
    /// The base handler builds the URL (PKCE, state, <c>AdditionalAuthorizationParameters</c>); the state is also kept
    /// for a Cancel, which Wikimedia sends back without it (<see cref="KeepPendingSignIn"/>). The <c>redirect_uri</c>
    /// is always sent, byte-equal to the one registered: without it a Cancel strands the user on the wiki
    /// (docs/protocol.md section 2).
    /// </remarks>
    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        var url = base.BuildChallengeUrl(properties, redirectUri);
        var query = QueryHelpers.ParseQuery(new Uri(url).Query);
        KeepPendingSignIn(properties, query.GetValueOrDefault("state").ToString());
        Log.ChallengeBuilt(Logger, Options.AuthorizationEndpoint, Options.UsePkce, query.GetValueOrDefault("scope").ToString());
        return url;
    }

    /// <inheritdoc />
    /// <remarks>
    /// No scope at all is null, which leaves the parameter out of the URL (the base handler's query builder skips null
    /// values): an empty <c>scope</c> asks for every grant the consumer registered, and so does none, with a cleaner URL
    /// (docs/protocol.md section 2).
    /// </remarks>
    protected override string FormatScope(IEnumerable<string> scopes)
    {
        var scope = string.Join(' ', scopes);
        return string.IsNullOrWhiteSpace(scope) ? null! : scope;
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

    /// <summary>Whether the callback produced a ticket; the sign-in is logged once the request was handled without an error
    /// (a session store that fails is a failed sign-in, logged as such).</summary>
    private bool _ticketIssued;

    /// <summary>The signed-in user's id, for that log line.</summary>
    private string? _userId;

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
            var handled = await base.HandleRequestAsync();
            if (_ticketIssued)
            {
                Log.SignedIn(Logger, _userId);
            }

            return handled;
        }
        catch (SessionStoreUnavailableException ex) when (!Response.HasStarted)
        {
            Log.SignInFailed(Logger, ex.Message);
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
        using var activity = WikimediaActivities.Start(WikimediaActivities.SignIn, Scheme.Name);
        var query = Request.Query;
        if (StringValues.IsNullOrEmpty(query["state"]) && query["error"] is var error && !StringValues.IsNullOrEmpty(error))
        {
            activity.Failed(error.ToString());
            return await AnswerWithoutStateAsync(error, query["error_description"], query["error_uri"]);
        }

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
            (_ticketIssued, _userId) = (true, result.Principal?.FindFirstValue(ClaimTypes.NameIdentifier));
            activity.Succeeded();
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
        var status = (int)response.StatusCode;

        if (!response.IsSuccessStatusCode)
        {
            throw new BackchannelException(
                $"The Wikimedia profile endpoint ({WikimediaBackchannel.Describe(request)}) answered HTTP {status} {response.ReasonPhrase}.",
                null, error: null, status, isTransient: status >= 500);
        }

        using var payload = await WikimediaBackchannel.TryReadJsonObjectAsync(response, Context.RequestAborted)
            ?? throw new BackchannelException(
                $"The Wikimedia profile endpoint ({WikimediaBackchannel.Describe(request)}) answered HTTP {status} with a body that is not a JSON object.",
                null, error: null, status, isTransient: true);

        // One parse: the claim actions of the app (MapJsonKey) read this JSON, the built-in ones the typed profile read
        // from it. Only a missing or unusable sub refuses the profile; sub was a number before December 2024
        // (docs/protocol.md section 6).
        var profile = WikimediaProfileJson.Read(payload.RootElement)
            ?? throw new BackchannelException(
                $"The Wikimedia profile endpoint ({WikimediaBackchannel.Describe(request)}) answered HTTP {status} without a 'sub' string or number.",
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
