using AspNet.Security.OAuth.Wikimedia;
using AspNet.Security.OAuth.Wikimedia.Sessions;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Turns on server-side sessions: the cookie holds only a reference, and the session (claims and tokens) is kept,
/// encrypted, in the app's <see cref="Caching.Distributed.IDistributedCache"/>.
/// </summary>
public static class WikimediaServerSideSessionExtensions
{
    /// <summary>
    /// Keeps the sessions of the default cookie scheme (<see cref="CookieAuthenticationDefaults.AuthenticationScheme"/>)
    /// in the app's <see cref="Caching.Distributed.IDistributedCache"/>; see
    /// <see cref="AddWikimediaServerSideSessions(AuthenticationBuilder, string, Action{WikimediaServerSideSessionOptions}?)"/>.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns>The <see cref="AuthenticationBuilder"/>.</returns>
    public static AuthenticationBuilder AddWikimediaServerSideSessions(this AuthenticationBuilder builder)
        => builder.AddWikimediaServerSideSessions(CookieAuthenticationDefaults.AuthenticationScheme, configure: null);

    /// <summary>
    /// Keeps the sessions of the default cookie scheme (<see cref="CookieAuthenticationDefaults.AuthenticationScheme"/>)
    /// in the app's <see cref="Caching.Distributed.IDistributedCache"/>; see
    /// <see cref="AddWikimediaServerSideSessions(AuthenticationBuilder, string, Action{WikimediaServerSideSessionOptions}?)"/>.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configure">Changes to the options.</param>
    /// <returns>The <see cref="AuthenticationBuilder"/>.</returns>
    public static AuthenticationBuilder AddWikimediaServerSideSessions(this AuthenticationBuilder builder, Action<WikimediaServerSideSessionOptions> configure)
        => builder.AddWikimediaServerSideSessions(CookieAuthenticationDefaults.AuthenticationScheme, configure);

    /// <summary>
    /// Keeps the sessions of cookie scheme <paramref name="cookieScheme"/> in the app's
    /// <see cref="Caching.Distributed.IDistributedCache"/> (its <see cref="CookieAuthenticationOptions.SessionStore"/>):
    /// the cookie holds only a random reference (a few hundred bytes whatever the profile), tokens never leave the
    /// server, and each session is compressed and encrypted with Data Protection, expires with the cookie's ticket
    /// (sliding expiration included) and is removed at sign-out. Token refreshes update the stored session without
    /// re-issuing the cookie.
    /// </summary>
    /// <remarks>
    /// Register the cache yourself: the one all instances share (<c>services.AddStackExchangeRedisCache(...)</c>) in a
    /// web farm, or <c>services.AddDistributedMemoryCache()</c> for a single instance. Without one, the app fails at
    /// startup. In a web farm the instances also share their Data Protection keys. See docs/production.md.
    /// </remarks>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="cookieScheme">The cookie scheme that Wikimedia signs in to.</param>
    /// <param name="configure">Changes to the options, or null.</param>
    /// <returns>The <see cref="AuthenticationBuilder"/>.</returns>
    public static AuthenticationBuilder AddWikimediaServerSideSessions(
        this AuthenticationBuilder builder, string cookieScheme, Action<WikimediaServerSideSessionOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(cookieScheme);

        builder.Services.AddDataProtection();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<RotationLedger>();
        var options = builder.Services.AddOptions<WikimediaServerSideSessionOptions>(cookieScheme);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // ValidateOnStart builds the cookie options at startup, so that a missing cache fails the start, not a request.
        builder.Services.AddOptions<CookieAuthenticationOptions>(cookieScheme)
            .PostConfigure<IServiceProvider>((cookie, services) => ServerSideSessionsSetup.Apply(cookieScheme, cookie, services))
            .ValidateOnStart();
        return builder;
    }
}
