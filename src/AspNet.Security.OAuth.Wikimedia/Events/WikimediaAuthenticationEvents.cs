using Microsoft.AspNetCore.Authentication.OAuth;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// The events of the Wikimedia handler: those of <see cref="OAuthEvents"/>, plus the token-refresh events.
/// </summary>
public class WikimediaAuthenticationEvents : OAuthEvents
{
    /// <summary>
    /// Gets or sets the delegate invoked after the access token was refreshed and stored in the session.
    /// </summary>
    public Func<WikimediaTokenRefreshedContext, Task> OnTokenRefreshed { get; set; } = _ => Task.CompletedTask;

    /// <summary>
    /// Gets or sets the delegate invoked when a refresh failed. It can change the decision to end the session
    /// through <see cref="WikimediaTokenRefreshFailedContext.SignOut"/>.
    /// </summary>
    public Func<WikimediaTokenRefreshFailedContext, Task> OnTokenRefreshFailed { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked after the access token was refreshed.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task TokenRefreshed(WikimediaTokenRefreshedContext context) => OnTokenRefreshed(context);

    /// <summary>Invoked when a refresh failed.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task TokenRefreshFailed(WikimediaTokenRefreshFailedContext context) => OnTokenRefreshFailed(context);
}
