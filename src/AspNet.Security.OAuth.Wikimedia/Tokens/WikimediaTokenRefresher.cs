using System.Globalization;
using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Diagnostics;
using AspNet.Security.OAuth.Wikimedia.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Keeps a session's access token fresh: decides when a refresh is due, spends the refresh token once (through
/// the coordinator), stores the rotated tokens, and applies the failure policy of docs/token-refresh.md.
/// </summary>
internal sealed partial class WikimediaTokenRefresher(
    IOptionsMonitor<WikimediaAuthenticationOptions> optionsMonitor,
    IAuthenticationSchemeProvider schemes,
    IWikimediaTokenRefreshCoordinator coordinator,
    RotationLedger ledger,
    WikimediaTokenMetrics metrics,
    TimeProvider time,
    ILogger<WikimediaTokenRefresher> logger)
{
    /// <summary>
    /// The shortest time between two forced refreshes of a session: an API that keeps answering 401 (a missing
    /// grant, a revoked app) must not make every call rotate the tokens, which would also revoke the access token
    /// that the session's other requests are using.
    /// </summary>
    public static readonly TimeSpan ForcedRefreshInterval = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(5);
    private int _publicConsumerWarned;

    /// <summary>
    /// Checks the session's tokens: adopts newer ones this process already obtained for the session, and refreshes
    /// them when due, or when <paramref name="force"/> is set (the API refused <paramref name="rejectedAccessToken"/>).
    /// Changes <paramref name="properties"/> in place.
    /// </summary>
    /// <returns>
    /// Null when nothing changed (not a Wikimedia session, or its token is not due); otherwise what happened, and
    /// the properties changed (new tokens, or the back-off's bookkeeping) and must be saved, except for
    /// <see cref="WikimediaTokenStatus.SessionEnded"/>: then the session must be signed out.
    /// </returns>
    public async Task<WikimediaTokenResult?> EnsureFreshAsync(
        HttpContext context, ClaimsPrincipal principal, AuthenticationProperties properties, bool force, CancellationToken cancellationToken,
        string? rejectedAccessToken = null)
    {
        if (!SessionState.TryRead(properties, out var state))
        {
            return null;
        }

        if (ledger.HasEnded(state.SessionId))
        {
            // The session signed out, or another request or circuit of it met the refusal of its refresh token (logged there).
            return WikimediaTokenResult.Failed(WikimediaTokenStatus.SessionEnded, "The session ended: it signed out, or Wikimedia refused its refresh token.");
        }

        var options = optionsMonitor.Get(state.Scheme);
        WikimediaTokenResult? adopted = null;
        if (ledger.TryGetNewer(state, out var newerGeneration, out var newer))
        {
            // This cookie is older than tokens this process already has for the session: its refresh token is spent.
            SessionTokens.StoreRefresh(properties, state, newer, newerGeneration, options.RefreshBeforeExpiration);
            SessionState.TryRead(properties, out state);
            Log.AdoptedNewerTokens(logger, principal.FindFirstValue(ClaimTypes.NameIdentifier), newerGeneration);
            adopted = newer with { Adopted = true };
        }

        if (state.NextCheck == SessionState.Never || properties.GetTokenValue("refresh_token") is not { Length: > 0 } refreshToken)
        {
            return adopted;
        }

        var now = time.GetUtcNow();
        if (now < state.NextCheck && !(force && MayForce(properties, state, rejectedAccessToken, now)))
        {
            return adopted;
        }

        var scheme = await schemes.GetSchemeAsync(state.Scheme);
        if (scheme is null)
        {
            Log.SchemeGone(logger, state.Scheme);
            return adopted;
        }

        var expiresAt = SessionTokens.ExpiresAt(properties);
        using var activity = WikimediaActivities.Start(WikimediaActivities.Refresh, state.Scheme);
        activity?.SetTag(WikimediaActivities.ForcedTag, force);
        WikimediaTokenResult result;
        try
        {
            result = await coordinator.RefreshAsync(
                SessionTokens.KeyOf(state.Scheme, refreshToken, state.Generation),
                async stopping =>
                {
                    var refreshed = await RefreshAsync(state.Scheme, options, refreshToken, stopping);
                    if (refreshed.Succeeded)
                    {
                        // Recorded by the refresh itself, not by the request waiting for it: when that request's browser
                        // goes away, the server has rotated the tokens all the same, and the session's next request
                        // (with the old cookie) must adopt them.
                        ledger.Record(state.SessionId, state.Generation + 1, refreshed);
                    }

                    return refreshed;
                },
                cancellationToken);
            if (result.Succeeded && result.IssuedAt == default)
            {
                // A coordinator of the app's that left the issue time out: without one, the session's bookkeeping
                // could not be written, and the session would never refresh again.
                result = result with { IssuedAt = now };
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A coordinator (the app's own, or a distributed one) that fails must not fail the request: it is a
            // transient failure of this refresh, with the session's back-off.
            result = Unexpected(ex);
        }

        activity?.SetTag(WikimediaActivities.AdoptedTag, result.Adopted);
        activity?.SetTag(WikimediaActivities.TokenStatusTag, result.Status.ToString());
        if (result.Succeeded)
        {
            activity.Succeeded();
        }
        else
        {
            activity.Failed(WikimediaTokenMetrics.ErrorType(result), result.Message);
        }

        var events = Events(context, options);
        if (result.Succeeded)
        {
            SessionTokens.StoreRefresh(properties, state, result, state.Generation + 1, options.RefreshBeforeExpiration);
            ledger.Record(state.SessionId, state.Generation + 1, result);
            if (result.Adopted)
            {
                // Another request of the session ran this refresh, and logged it and raised the event.
                return result;
            }

            Log.Refreshed(logger, principal.FindFirstValue(ClaimTypes.NameIdentifier), result.ExpiresAt);
            await events.TokenRefreshed(new WikimediaTokenRefreshedContext(context, scheme, options, principal, properties, result.ExpiresAt));
            return result;
        }

        return await FailedAsync(context, scheme, options, events, principal, properties, state, result, expiresAt, now);
    }

    /// <summary>
    /// A forced refresh happens only when it can help: not while backing off after failures, not when the token that
    /// was refused is no longer the session's (the retry should use the current one), and not twice within
    /// <see cref="ForcedRefreshInterval"/>.
    /// </summary>
    private static bool MayForce(AuthenticationProperties properties, SessionState state, string? rejectedAccessToken, DateTimeOffset now)
        => !properties.Items.ContainsKey(SessionTokens.FailuresItem) &&
           (rejectedAccessToken is null || rejectedAccessToken == properties.GetTokenValue("access_token")) &&
           now - state.IssuedAt >= ForcedRefreshInterval;

    private async Task<WikimediaTokenResult> RefreshAsync(string scheme, WikimediaAuthenticationOptions options, string refreshToken, CancellationToken stopping)
    {
        var started = time.GetTimestamp();
        WikimediaTokenResult result;
        try
        {
            // RFC 6749 section 6, with client authentication and the User-Agent; never a Bearer header.
            using var tokens = await WikimediaTokenEndpoint.RequestAsync(
                scheme, options.Backchannel, options, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)], stopping);
            result = SessionTokens.FromResponse(tokens, time.GetUtcNow());
        }
        catch (BackchannelException ex)
        {
            result = new WikimediaTokenResult
            {
                Status = ex.IsTransient ? WikimediaTokenStatus.Unavailable
                    : IsDeadRefreshToken(ex.Error, ex.StatusCode) ? WikimediaTokenStatus.SessionEnded
                    : WikimediaTokenStatus.Refused,
                Error = ex.Error,
                StatusCode = ex.StatusCode,
                Message = ex.Message,
                IssuedAt = time.GetUtcNow(),
            };
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The coordinator stopped the refresh: the application is stopping. Expected, so not log id 26; the session
            // keeps its tokens and backs off like after any transient failure.
            result = new WikimediaTokenResult
            {
                Status = WikimediaTokenStatus.Unavailable,
                Message = "The refresh was stopped: the application is stopping.",
                IssuedAt = time.GetUtcNow(),
            };
        }
        catch (Exception ex)
        {
            // Whatever else goes wrong (a handler the app added to the backchannel, say) is transient: the session
            // keeps its token and backs off; it never becomes an error page.
            result = Unexpected(ex);
        }

        metrics.Refreshed(scheme, result, time.GetElapsedTime(started));
        return result;
    }

    private WikimediaTokenResult Unexpected(Exception ex)
    {
        Log.UnexpectedFailure(logger, ex.GetType().FullName, ex);
        return new WikimediaTokenResult
        {
            Status = WikimediaTokenStatus.Unavailable,
            Message = $"The refresh failed unexpectedly ({ex.GetType().Name}).",
            IssuedAt = time.GetUtcNow(),
        };
    }

    private async Task<WikimediaTokenResult> FailedAsync(
        HttpContext context, AuthenticationScheme scheme, WikimediaAuthenticationOptions options, WikimediaAuthenticationEvents events,
        ClaimsPrincipal principal, AuthenticationProperties properties, SessionState state, WikimediaTokenResult result, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        var publicConsumerRefused = result.Error == "invalid_client" && string.IsNullOrEmpty(options.ClientSecret);
        var failed = new WikimediaTokenRefreshFailedContext(context, scheme, options, principal, properties, result, expiresAt,
            signOut: result.Status == WikimediaTokenStatus.SessionEnded);
        await events.TokenRefreshFailed(failed);

        if (failed.SignOut)
        {
            ledger.End(state.SessionId);
            Log.SessionEnded(logger, userId, result.Error ?? "none", result.Message);
            return result with { Status = WikimediaTokenStatus.SessionEnded };
        }

        if (result.Status == WikimediaTokenStatus.SessionEnded)
        {
            // The app's OnTokenRefreshFailed kept the session: it goes on with its token until that expires.
            result = result with { Status = WikimediaTokenStatus.Refused };
        }

        if (publicConsumerRefused)
        {
            // Some MediaWiki versions refuse refresh for public consumers: stop trying for this session.
            (state with { NextCheck = SessionState.Never }).WriteTo(properties);
            if (Interlocked.Exchange(ref _publicConsumerWarned, 1) == 0)
            {
                Log.PublicConsumerRefused(logger, scheme.Name);
            }

            return result;
        }

        var failures = properties.Items.TryGetValue(SessionTokens.FailuresItem, out var previous) && int.TryParse(previous, CultureInfo.InvariantCulture, out var count) ? count + 1 : 1;
        var delay = TimeSpan.FromTicks(Math.Min(FirstRetry.Ticks << Math.Min(failures - 1, 10), LongestRetry.Ticks));
        properties.Items[SessionTokens.FailuresItem] = failures.ToString(CultureInfo.InvariantCulture);
        (state with { NextCheck = now + delay }).WriteTo(properties);
        Log.RefreshFailed(logger, userId, result.Error ?? "none", result.StatusCode, expiresAt > now, delay, result.Message);
        return result;
    }

    /// <summary>
    /// Whether the server refused the refresh token itself (reused, expired, revoked): <c>invalid_grant</c> on current
    /// servers, <c>401 invalid_request</c> on MediaWiki 1.39 (docs/protocol.md). A 400 <c>invalid_request</c> is a
    /// malformed request, not a dead token.
    /// </summary>
    internal static bool IsDeadRefreshToken(string? error, int? statusCode)
        => error == "invalid_grant" || (error == "invalid_request" && statusCode == 401);

    private static WikimediaAuthenticationEvents Events(HttpContext context, WikimediaAuthenticationOptions options)
        => options.EventsType is { } type
            ? (WikimediaAuthenticationEvents)context.RequestServices.GetRequiredService(type)
            : options.Events;

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "Refreshed the Wikimedia access token of user {UserId}; it now expires at {ExpiresAt:o}.")]
        public static partial void Refreshed(ILogger logger, string? userId, DateTimeOffset? expiresAt);

        [LoggerMessage(21, LogLevel.Warning, "Refreshing the Wikimedia access token of user {UserId} failed ({Error}, HTTP {Status}); the access token is still valid: {StillValid}. Trying again in {RetryIn}. {Reason}")]
        public static partial void RefreshFailed(ILogger logger, string? userId, string error, int? status, bool stillValid, TimeSpan retryIn, string? reason);

        [LoggerMessage(22, LogLevel.Information, "Ended the session of user {UserId}: Wikimedia refused its refresh token ({Error}). {Reason}")]
        public static partial void SessionEnded(ILogger logger, string? userId, string error, string? reason);

        [LoggerMessage(25, LogLevel.Information, "A request of user {UserId} carried tokens older than the session's newest (generation {Generation}), which it adopted.")]
        public static partial void AdoptedNewerTokens(ILogger logger, string? userId, int generation);

        [LoggerMessage(26, LogLevel.Error, "Refreshing a Wikimedia access token failed unexpectedly ({ExceptionType}); treated as a transient failure.")]
        public static partial void UnexpectedFailure(ILogger logger, string? exceptionType, Exception exception);

        [LoggerMessage(24, LogLevel.Warning, "A session was signed in by the authentication scheme '{Scheme}', which is no longer registered; its tokens are not refreshed.")]
        public static partial void SchemeGone(ILogger logger, string scheme);

        [LoggerMessage(23, LogLevel.Warning, "Wikimedia refused to refresh tokens for the public consumer of scheme '{Scheme}' (invalid_client). Some MediaWiki versions " +
            "only refresh tokens of confidential consumers: register a confidential consumer and set its ClientSecret. Sessions keep their current token until it expires.")]
        public static partial void PublicConsumerRefused(ILogger logger, string scheme);
    }
}
