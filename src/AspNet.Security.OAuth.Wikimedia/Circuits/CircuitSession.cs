using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Sessions;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.Wikimedia.Circuits;

/// <summary>
/// One interactive Blazor circuit's view of its Wikimedia session: a copy of the session's tokens, taken from the
/// request that opened the circuit's connection, kept fresh by the same refresher, coordinator and rotation ledger as
/// the session's HTTP requests (docs/app-models.md).
/// </summary>
/// <remarks>
/// A circuit has no request whose cookie it could re-issue. What it refreshes reaches the session through the
/// rotation ledger (the next HTTP request adopts it and its cookie is re-issued), or is written to the server-side
/// session at once. It never writes a cookie, so it can never write back a token older than the session's.
/// </remarks>
internal sealed partial class CircuitSession(
    WikimediaTokenRefresher refresher,
    TimeProvider time,
    IServiceProvider services,
    AuthenticationStateProvider authenticationState,
    ILogger<CircuitSession> logger) : IDisposable
{
    private static readonly AsyncLocal<CircuitSession?> CurrentSession = new();

    private readonly SemaphoreSlim _gate = new(1, 1);
    private AuthenticationTicket? _ticket;
    private bool _ended;

    /// <summary>
    /// The circuit whose inbound activity (an event handler, a render, a JS call) is running, set by
    /// <see cref="WikimediaCircuitHandler"/>; null in HTTP requests.
    /// </summary>
    public static CircuitSession? Current
    {
        get => CurrentSession.Value;
        set => CurrentSession.Value = value;
    }

    /// <summary>Whether the circuit holds a Wikimedia session.</summary>
    public bool HasSession => _ticket is not null;

    /// <summary>
    /// Takes the session of the request that opened (or reopened) the circuit's connection: when the circuit has none
    /// yet, or when the request carries a later generation of the same session (a reconnect after HTTP requests refreshed).
    /// </summary>
    public void Capture(HttpContext context)
    {
        if (context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is not { Succeeded: true, Ticket: { } ticket } ||
            !SessionState.TryRead(ticket.Properties, out var captured))
        {
            return;
        }

        var current = _ticket;
        if (current is not null &&
            (!SessionState.TryRead(current.Properties, out var own) || own.SessionId != captured.SessionId || own.Generation >= captured.Generation))
        {
            return;
        }

        // A copy: the request's own ticket belongs to a request that ends, and may be pooled.
        _ticket = new AuthenticationTicket(ticket.Principal.Clone(), ticket.Properties.Clone(), ticket.AuthenticationScheme);
    }

    /// <summary>
    /// The circuit's access token, refreshed first when due (or when <paramref name="force"/> is set after the API
    /// refused <paramref name="rejectedAccessToken"/>); one caller at a time per circuit, and one refresh per session
    /// across circuits and requests through the coordinator.
    /// </summary>
    public async Task<WikimediaTokenResult> GetAccessTokenAsync(bool force, string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return WikimediaTokenResult.Failed(WikimediaTokenStatus.SessionEnded);
        }

        if (_ticket is null)
        {
            return WikimediaTokenResult.Failed(WikimediaTokenStatus.NotAuthenticated);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var ticket = _ticket;
            if ((force || !SessionState.TryReadNextCheck(ticket.Properties, out var nextCheck) || time.GetUtcNow() >= nextCheck) &&
                DistributedSessionStore.TryGetStored(ticket.Properties, out var store, out var key) &&
                await store.RetrieveAsync(key, cancellationToken) is { } stored &&
                SessionTokens.IsLaterGeneration(stored.Properties, ticket.Properties))
            {
                // Due: a server-side session that another instance refreshed has its tokens, not a refresh of the spent ones.
                SessionTokens.AdoptFrom(ticket.Properties, stored.Properties);
            }

            var context = new DefaultHttpContext { RequestServices = services, User = ticket.Principal };
            switch (await refresher.EnsureFreshAsync(context, ticket.Principal, ticket.Properties, force, cancellationToken, rejectedAccessToken))
            {
                case { Status: WikimediaTokenStatus.SessionEnded }:
                    End(ticket.Principal);
                    return WikimediaTokenResult.Failed(WikimediaTokenStatus.SessionEnded);
                case not null when DistributedSessionStore.TryGetStored(ticket.Properties, out var changedStore, out var changedKey):
                    await changedStore.RenewAsync(changedKey, ticket, CancellationToken.None);
                    break;
            }

            return SessionTokens.Current(ticket.Properties, time.GetUtcNow());
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Ends the circuit's session: the refresher marked it ended in the rotation ledger (so the session's next HTTP
    /// request signs out), and the circuit's user becomes anonymous, so that its <c>AuthorizeView</c>s offer to sign in again.
    /// </summary>
    private void End(ClaimsPrincipal principal)
    {
        _ended = true;
        Log.CircuitSessionEnded(logger, principal.FindFirstValue(ClaimTypes.NameIdentifier));
        if (authenticationState is IHostEnvironmentAuthenticationStateProvider host)
        {
            host.SetAuthenticationState(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
        }
    }

    public void Dispose() => _gate.Dispose();

    private static partial class Log
    {
        [LoggerMessage(50, LogLevel.Information, "Ended the Wikimedia session of user {UserId} in an interactive circuit: its refresh token was refused. The circuit's user is now anonymous.")]
        public static partial void CircuitSessionEnded(ILogger logger, string? userId);
    }
}
