using System.Globalization;
using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>What a session check decided.</summary>
internal enum RefreshDecision
{
    /// <summary>Nothing to do: not a Wikimedia session, or its token is not due.</summary>
    Unchanged,

    /// <summary>The properties changed (new tokens, or back-off bookkeeping): re-issue the cookie.</summary>
    Renewed,

    /// <summary>The grant is gone: end the session.</summary>
    SignOut,
}

/// <summary>
/// Keeps a session's access token fresh: decides when a refresh is due, spends the refresh token once (through
/// the coordinator), stores the rotated tokens, and applies the failure policy of docs/token-refresh.md.
/// </summary>
internal sealed partial class WikimediaTokenRefresher(
    IOptionsMonitor<WikimediaAuthenticationOptions> optionsMonitor,
    IAuthenticationSchemeProvider schemes,
    IWikimediaTokenRefreshCoordinator coordinator,
    WikimediaTokenMetrics metrics,
    TimeProvider time,
    ILogger<WikimediaTokenRefresher> logger)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(5);
    private int _publicConsumerWarned;

    /// <summary>
    /// Checks the session's tokens and refreshes them when due (or when <paramref name="force"/> is set, after the
    /// API refused the token). Changes <paramref name="properties"/> in place.
    /// </summary>
    public async Task<RefreshDecision> EnsureFreshAsync(
        HttpContext context, ClaimsPrincipal principal, AuthenticationProperties properties, bool force, CancellationToken cancellationToken)
    {
        if (!SessionTokens.TryReadState(properties, out var schemeName, out var nextCheck) ||
            nextCheck == SessionTokens.Never ||
            properties.GetTokenValue("refresh_token") is not { Length: > 0 } refreshToken)
        {
            return RefreshDecision.Unchanged;
        }

        // Not due yet; or, after a failure, backing off, even when forced: a failing server is not helped by every
        // API call retrying.
        var now = time.GetUtcNow();
        var backingOff = properties.Items.ContainsKey(SessionTokens.FailuresItem);
        if (now < nextCheck && (!force || backingOff))
        {
            return RefreshDecision.Unchanged;
        }

        var scheme = await schemes.GetSchemeAsync(schemeName);
        if (scheme is null)
        {
            Log.SchemeGone(logger, schemeName);
            return RefreshDecision.Unchanged;
        }

        var options = optionsMonitor.Get(schemeName);
        var expiresAt = SessionTokens.ExpiresAt(properties);
        var ranHere = false;
        var result = await coordinator.RefreshAsync(
            SessionTokens.KeyOf(schemeName, refreshToken),
            _ =>
            {
                ranHere = true;
                return RefreshAsync(schemeName, options, refreshToken);
            },
            cancellationToken);
        var events = Events(context, options);

        if (result.Succeeded)
        {
            SessionTokens.Store(properties, schemeName, result, options.RefreshBeforeExpiration);
            if (!ranHere)
            {
                // Another request of the session ran this refresh, and logged it and raised the event.
                return RefreshDecision.Renewed;
            }

            Log.Refreshed(logger, principal.FindFirstValue(ClaimTypes.NameIdentifier), result.ExpiresAt);
            await events.TokenRefreshed(new WikimediaTokenRefreshedContext(context, scheme, options, principal, properties, result.ExpiresAt));
            return RefreshDecision.Renewed;
        }

        return await FailedAsync(context, scheme, options, events, principal, properties, result, expiresAt, now);
    }

    private async Task<WikimediaTokenRefreshResult> RefreshAsync(string scheme, WikimediaAuthenticationOptions options, string refreshToken)
    {
        var started = time.GetTimestamp();
        WikimediaTokenRefreshResult result;
        try
        {
            // RFC 6749 section 6, with client authentication and the User-Agent; never a Bearer header.
            using var tokens = await WikimediaTokenEndpoint.RequestAsync(
                options.Backchannel, options, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)], CancellationToken.None);
            var issuedAt = time.GetUtcNow();
            result = new WikimediaTokenRefreshResult
            {
                AccessToken = tokens.AccessToken,
                RefreshToken = tokens.RefreshToken,
                TokenType = tokens.TokenType,
                IssuedAt = issuedAt,
                ExpiresAt = SessionTokens.ExpiresAt(issuedAt, tokens.ExpiresIn),
            };
        }
        catch (BackchannelException ex)
        {
            result = new WikimediaTokenRefreshResult
            {
                Error = ex.Error,
                StatusCode = ex.StatusCode,
                IsTransient = ex.IsTransient,
                FailureMessage = ex.Message,
                IssuedAt = time.GetUtcNow(),
            };
        }

        metrics.Refreshed(scheme, result.Succeeded ? "success" : result.Error ?? (result.IsTransient ? "transient" : "failure"), time.GetElapsedTime(started));
        return result;
    }

    private async Task<RefreshDecision> FailedAsync(
        HttpContext context, AuthenticationScheme scheme, WikimediaAuthenticationOptions options, WikimediaAuthenticationEvents events,
        ClaimsPrincipal principal, AuthenticationProperties properties, WikimediaTokenRefreshResult result, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        var publicConsumerRefused = result.Error == "invalid_client" && string.IsNullOrEmpty(options.ClientSecret);
        var failed = new WikimediaTokenRefreshFailedContext(context, scheme, options, principal, properties, result, expiresAt,
            signOut: result.Error == "invalid_grant");
        await events.TokenRefreshFailed(failed);

        if (failed.SignOut)
        {
            Log.SessionEnded(logger, userId, result.Error ?? "none", result.FailureMessage);
            return RefreshDecision.SignOut;
        }

        if (publicConsumerRefused)
        {
            // Some MediaWiki versions refuse refresh for public consumers: stop trying for this session.
            SessionTokens.WriteState(properties, scheme.Name, SessionTokens.Never);
            if (Interlocked.Exchange(ref _publicConsumerWarned, 1) == 0)
            {
                Log.PublicConsumerRefused(logger, scheme.Name);
            }

            return RefreshDecision.Renewed;
        }

        var failures = properties.Items.TryGetValue(SessionTokens.FailuresItem, out var previous) && int.TryParse(previous, CultureInfo.InvariantCulture, out var count) ? count + 1 : 1;
        var delay = TimeSpan.FromTicks(Math.Min(FirstRetry.Ticks << Math.Min(failures - 1, 10), LongestRetry.Ticks));
        properties.Items[SessionTokens.FailuresItem] = failures.ToString(CultureInfo.InvariantCulture);
        SessionTokens.WriteState(properties, scheme.Name, now + delay);
        Log.RefreshFailed(logger, userId, result.Error ?? "none", result.StatusCode, expiresAt > now, delay, result.FailureMessage);
        return RefreshDecision.Renewed;
    }

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

        [LoggerMessage(24, LogLevel.Warning, "A session was signed in by the authentication scheme '{Scheme}', which is no longer registered; its tokens are not refreshed.")]
        public static partial void SchemeGone(ILogger logger, string scheme);

        [LoggerMessage(23, LogLevel.Warning, "Wikimedia refused to refresh tokens for the public consumer of scheme '{Scheme}' (invalid_client). Some MediaWiki versions " +
            "only refresh tokens of confidential consumers: register a confidential consumer and set its ClientSecret. Sessions keep their current token until it expires.")]
        public static partial void PublicConsumerRefused(ILogger logger, string scheme);
    }
}
