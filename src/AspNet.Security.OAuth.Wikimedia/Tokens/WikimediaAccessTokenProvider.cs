using AspNet.Security.OAuth.Wikimedia.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Reads the user's tokens from the default authentication scheme (the cookie, whose validation already refreshed
/// them when due), and refreshes on demand.
/// </summary>
internal sealed partial class WikimediaAccessTokenProvider(WikimediaTokenRefresher refresher, TimeProvider time, ILogger<WikimediaAccessTokenProvider> logger)
    : IWikimediaAccessTokenProvider
{
    public Task<WikimediaTokenResult> GetAccessTokenAsync(HttpContext context, bool forceRefresh = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return GetAsync(context, forceRefresh, rejectedAccessToken: null, cancellationToken);
    }

    public Task<WikimediaTokenResult> GetAccessTokenAfterRejectionAsync(HttpContext context, string rejectedAccessToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(rejectedAccessToken);
        return GetAsync(context, forceRefresh: true, rejectedAccessToken, cancellationToken);
    }

    private async Task<WikimediaTokenResult> GetAsync(HttpContext context, bool forceRefresh, string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        var authentication = await context.AuthenticateAsync();
        if (!authentication.Succeeded || authentication.Properties is not { } properties)
        {
            return WikimediaTokenResult.Failed(WikimediaTokenStatus.NotAuthenticated);
        }

        // Only a token that a Wikimedia scheme obtained: an app may also sign people in with another OAuth provider
        // that saves its own access_token in the same cookie, which must never be sent to Wikimedia.
        if (!SessionState.TryRead(properties, out _))
        {
            return WikimediaTokenResult.Failed(WikimediaTokenStatus.NoToken);
        }

        if (forceRefresh)
        {
            var scheme = authentication.Ticket.AuthenticationScheme;
            switch (await refresher.EnsureFreshAsync(context, authentication.Principal, properties, force: true, cancellationToken, rejectedAccessToken))
            {
                case null:
                    break;
                case { Status: WikimediaTokenStatus.SessionEnded } when context.Response.HasStarted:
                    // The cookie can no longer be removed; the session's next request meets the refused token again
                    // and ends there.
                    Log.CannotSignOut(logger);
                    return WikimediaTokenResult.Failed(WikimediaTokenStatus.SessionEnded);
                case { Status: WikimediaTokenStatus.SessionEnded }:
                    await context.SignOutAsync(scheme);
                    return WikimediaTokenResult.Failed(WikimediaTokenStatus.SessionEnded);
                case not null when DistributedSessionStore.TryGetStored(properties, out var store, out var key):
                    // A server-side session is updated in place, even after the response has started.
                    await store.RenewAsync(key, new AuthenticationTicket(authentication.Principal, properties, scheme), CancellationToken.None);
                    break;
                case not null when context.Response.HasStarted:
                    Log.CannotPersist(logger);
                    break;
                default:
                    await context.SignInAsync(scheme, authentication.Principal, properties);
                    break;
            }
        }

        return SessionTokens.Current(properties, time.GetUtcNow());
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Warning, "Refreshed the Wikimedia tokens after the response had started, so the cookie could not be re-issued. " +
            "Get the token before writing the response (for example in the page handler, not in the view).")]
        public static partial void CannotPersist(ILogger logger);

        [LoggerMessage(31, LogLevel.Warning, "Wikimedia refused the session's refresh token after the response had started, so the session cookie could not be removed now; " +
            "the session ends at its next request. Get the token before writing the response.")]
        public static partial void CannotSignOut(ILogger logger);
    }
}
