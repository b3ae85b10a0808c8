using AspNet.Security.OAuth.Wikimedia;
using AspNet.Security.OAuth.Wikimedia.Circuits;
using AspNet.Security.OAuth.Wikimedia.Configuration;
using AspNet.Security.OAuth.Wikimedia.Diagnostics;
using AspNet.Security.OAuth.Wikimedia.Protocol;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Extension methods to add Wikimedia authentication capabilities to an HTTP application pipeline.
/// </summary>
public static class WikimediaAuthenticationExtensions
{
    /// <summary>
    /// Adds <see cref="WikimediaAuthenticationHandler"/> to the specified <see cref="AuthenticationBuilder"/>,
    /// which enables Wikimedia authentication capabilities, with the default scheme name and options from
    /// configuration (<c>Authentication:Schemes:Wikimedia</c>).
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns>The <see cref="AuthenticationBuilder"/>.</returns>
    public static AuthenticationBuilder AddWikimedia(this AuthenticationBuilder builder)
        => builder.AddWikimedia(WikimediaAuthenticationDefaults.AuthenticationScheme, options => { });

    /// <summary>
    /// Adds <see cref="WikimediaAuthenticationHandler"/> to the specified <see cref="AuthenticationBuilder"/>,
    /// which enables Wikimedia authentication capabilities.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configuration">The delegate used to configure the Wikimedia options; it runs after configuration binding.</param>
    /// <returns>The <see cref="AuthenticationBuilder"/>.</returns>
    public static AuthenticationBuilder AddWikimedia(
        this AuthenticationBuilder builder,
        Action<WikimediaAuthenticationOptions> configuration)
        => builder.AddWikimedia(WikimediaAuthenticationDefaults.AuthenticationScheme, configuration);

    /// <summary>
    /// Adds <see cref="WikimediaAuthenticationHandler"/> to the specified <see cref="AuthenticationBuilder"/>,
    /// which enables Wikimedia authentication capabilities.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="scheme">The authentication scheme associated with this instance.</param>
    /// <param name="configuration">The delegate used to configure the Wikimedia options; it runs after configuration binding.</param>
    /// <returns>The <see cref="AuthenticationBuilder"/>.</returns>
    public static AuthenticationBuilder AddWikimedia(
        this AuthenticationBuilder builder,
        string scheme,
        Action<WikimediaAuthenticationOptions> configuration)
        => builder.AddWikimedia(scheme, WikimediaAuthenticationDefaults.DisplayName, configuration);

    /// <summary>
    /// Adds <see cref="WikimediaAuthenticationHandler"/> to the specified <see cref="AuthenticationBuilder"/>,
    /// which enables Wikimedia authentication capabilities.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="scheme">The authentication scheme associated with this instance.</param>
    /// <param name="caption">The optional display name associated with this instance.</param>
    /// <param name="configuration">The delegate used to configure the Wikimedia options; it runs after configuration binding.</param>
    /// <returns>The <see cref="AuthenticationBuilder"/>.</returns>
    public static AuthenticationBuilder AddWikimedia(
        this AuthenticationBuilder builder,
        string scheme,
        string? caption,
        Action<WikimediaAuthenticationOptions> configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(configuration);

        // Configuration first, so that the app's delegate (registered by AddOAuth below) overrides it.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<WikimediaAuthenticationOptions>, WikimediaConfigureOptions>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<WikimediaAuthenticationOptions>, WikimediaPostConfigureOptions>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, UserAgentStartupCheck>());
        builder.Services.TryAddTransient<WikimediaAuthenticationHandler>();
        BackchannelHandlers.Register(builder.Services, scheme);

        // Token lifecycle: automatic refresh in the cookie scheme, and the user's token on demand.
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<WikimediaTokenMetrics>();
        builder.Services.TryAddSingleton<IWikimediaTokenRefreshCoordinator, InProcessTokenRefreshCoordinator>();
        builder.Services.TryAddSingleton<RotationLedger>();
        builder.Services.TryAddSingleton<WikimediaTokenRefresher>();
        builder.Services.TryAddSingleton<IWikimediaAccessTokenProvider, WikimediaAccessTokenProvider>();
        // Interactive Blazor circuits: each gets its session's tokens, refreshed like those of HTTP requests. Harmless
        // in apps without circuits, where nothing asks for these scoped services.
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddScoped<CircuitSession>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, WikimediaCircuitHandler>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, CookieRefreshPostConfigure>());

        return builder.AddOAuth<WikimediaAuthenticationOptions, WikimediaAuthenticationHandler>(scheme, caption!, configuration);
    }
}
