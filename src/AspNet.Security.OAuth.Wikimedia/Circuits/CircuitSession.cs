using System.Diagnostics.CodeAnalysis;
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
/// request of the circuit's connection, kept fresh by the same refresher, coordinator and rotation ledger as the
/// session's HTTP requests (docs/app-models.md).
/// </summary>
/// <remarks>
/// A circuit has no request whose cookie it could re-issue. What it refreshes reaches the session through the
/// rotation ledger (the next HTTP request adopts it and its cookie is re-issued), or is written into the stored
/// server-side session at once. It never writes a cookie, nor its own copy of a ticket, so it can never write back
/// a token older than the session's.
/// </remarks>
[SuppressMessage("Reliability", "CA1001", Justification = "The gate's SemaphoreSlim holds nothing to release (its wait handle is never asked for); " +
    "disposing it with the circuit would fail the calls still in flight then.")]
internal sealed partial class CircuitSession(
    WikimediaTokenRefresher refresher,
    TimeProvider time,
    IServiceProvider services,
    AuthenticationStateProvider authenticationState,
    ILogger<CircuitSession> logger)
{
    private static readonly AsyncLocal<Holder?> CurrentHolder = new();

    private readonly SemaphoreSlim _gate = new(1, 1);
    private AuthenticationTicket? _ticket;
    private bool _ended;

    /// <summary>
    /// The circuit whose inbound activity (an event handler, a render, a JS call) is running, set by
    /// <see cref="WikimediaCircuitHandler"/> through <see cref="Enter"/>; null in HTTP requests, and once the activity ended.
    /// </summary>
    public static CircuitSession? Current => CurrentHolder.Value?.Session;

    /// <summary>Whether the circuit holds a Wikimedia session.</summary>
    public bool HasSession => _ticket is not null;

    /// <summary>
    /// Marks this circuit current for the activity that calls it, until the returned holder is cleared at the
    /// activity's end: work that captured the execution context during the activity (a singleton's queue, a timer)
    /// and runs later must not act as this circuit's user, whoever it then serves.
    /// </summary>
    public Holder Enter()
    {
        var holder = new Holder { Session = this };
        CurrentHolder.Value = holder;
        return holder;
    }

    /// <summary>
    /// Follows the request that opened (or reopened) the circuit's connection, as Blazor follows its user: a later
    /// generation of the same session replaces the copy; an older one is ignored; another session (the user signed
    /// out and someone signed in, in the same browser) replaces it; no Wikimedia session leaves the circuit with none.
    /// </summary>
    public void Capture(HttpContext context)
    {
        if (context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is not { Succeeded: true, Ticket: { } ticket } ||
            !SessionState.TryRead(ticket.Properties, out var captured))
        {
            _ticket = null;
            return;
        }

        if (_ticket is { } current && SessionState.TryRead(current.Properties, out var own) &&
            own.SessionId == captured.SessionId && own.Generation >= captured.Generation)
        {
            return;
        }

        // A copy: the request's own ticket belongs to a request that ends, and may be pooled.
        _ticket = new AuthenticationTicket(ticket.Principal.Clone(), ticket.Properties.Clone(), ticket.AuthenticationScheme);
        _ended = false;
    }

    /// <summary>
    /// The circuit's access token, refreshed first when due (or when <paramref name="force"/> is set after the API
    /// refused <paramref name="rejectedAccessToken"/>); one caller at a time per circuit, and one refresh per session
    /// across circuits and requests through the coordinator.
    /// </summary>
    public async Task<WikimediaTokenResult> GetAccessTokenAsync(bool force, string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_ended)
            {
                return WikimediaTokenResult.Failed(WikimediaTokenStatus.SessionEnded);
            }

            if (_ticket is not { } ticket)
            {
                return WikimediaTokenResult.Failed(WikimediaTokenStatus.NotAuthenticated);
            }

            var serverSide = DistributedSessionStore.TryGetStored(ticket.Properties, out var store, out var key);
            var due = force || !SessionState.TryReadNextCheck(ticket.Properties, out var nextCheck) || time.GetUtcNow() >= nextCheck;
            if (due && serverSide)
            {
                var (failed, stored) = await store.ReadStoredAsync(key, cancellationToken);
                if (stored is null && !failed)
                {
                    // Signed out (on any instance) or expired: the circuit's copy must not outlive the session.
                    End(ticket.Principal, signedOut: true);
                    return WikimediaTokenResult.Failed(WikimediaTokenStatus.SessionEnded);
                }

                if (stored is not null && SessionTokens.IsLaterGeneration(stored.Properties, ticket.Properties))
                {
                    // Another instance refreshed: its tokens, not a refresh of the spent ones.
                    SessionTokens.AdoptFrom(ticket.Properties, stored.Properties);
                }
            }

            var context = new DefaultHttpContext { RequestServices = services, User = ticket.Principal };
            switch (await refresher.EnsureFreshAsync(context, ticket.Principal, ticket.Properties, force, cancellationToken, rejectedAccessToken))
            {
                case { Status: WikimediaTokenStatus.SessionEnded }:
                    End(ticket.Principal, signedOut: false);
                    return WikimediaTokenResult.Failed(WikimediaTokenStatus.SessionEnded);
                case not null when serverSide:
                    await WriteTokensAsync(store, key, ticket);
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
    /// Puts the circuit's new tokens into the session as it is stored now: the stored ticket keeps its own expiry,
    /// principal and items (HTTP requests slide and change them while the circuit is open); only its tokens change.
    /// </summary>
    private static async Task WriteTokensAsync(DistributedSessionStore store, string key, AuthenticationTicket circuit)
    {
        var (_, stored) = await store.ReadStoredAsync(key, CancellationToken.None);
        if (stored is null)
        {
            return;
        }

        if (SessionTokens.IsLaterGeneration(circuit.Properties, stored.Properties))
        {
            SessionTokens.AdoptFrom(stored.Properties, circuit.Properties);
            await store.RenewAsync(key, stored, CancellationToken.None);
        }
    }

    /// <summary>
    /// Ends the circuit's session: the circuit's user becomes anonymous, so that its <c>AuthorizeView</c>s offer to
    /// sign in again. (A refused refresh token is marked ended in the rotation ledger by the refresher, so the
    /// session's next HTTP request signs out too.)
    /// </summary>
    private void End(ClaimsPrincipal principal, bool signedOut)
    {
        _ended = true;
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (signedOut)
        {
            Log.CircuitSessionGone(logger, userId);
        }
        else
        {
            Log.CircuitSessionEnded(logger, userId);
        }

        if (authenticationState is IHostEnvironmentAuthenticationStateProvider host)
        {
            host.SetAuthenticationState(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
        }
    }

    /// <summary>What the AsyncLocal holds: cleared when the activity ends, so that no captured context keeps it.</summary>
    internal sealed class Holder
    {
        public CircuitSession? Session { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(70, LogLevel.Information, "Ended the Wikimedia session of user {UserId} in an interactive circuit: its refresh token was refused, or it had signed out. The circuit's user is now anonymous.")]
        public static partial void CircuitSessionEnded(ILogger logger, string? userId);

        [LoggerMessage(71, LogLevel.Information, "The server-side session of user {UserId} is gone (signed out or expired) while an interactive circuit held it: the circuit's user is now anonymous.")]
        public static partial void CircuitSessionGone(ILogger logger, string? userId);
    }
}
