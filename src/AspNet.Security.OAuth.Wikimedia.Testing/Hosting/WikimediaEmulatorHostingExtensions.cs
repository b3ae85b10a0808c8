using AspNet.Security.OAuth.Wikimedia;
using AspNet.Security.OAuth.Wikimedia.Testing.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Runs an app with no credentials: in the Development environment, when the scheme has no <c>ClientId</c> configured,
/// an in-process <see cref="AspNet.Security.OAuth.Wikimedia.Testing.WikimediaEmulator"/> stands in for Wikimedia.
/// </summary>
public static class WikimediaEmulatorHostingExtensions
{
    /// <summary>
    /// When <c>Authentication:Schemes:{scheme}:ClientId</c> is not set and the environment is Development, starts an
    /// in-process Wikimedia emulator with the app and points the handler and the API client at it (at its REST root
    /// when <c>WikimediaApi:BaseAddress</c> is a REST root, else at its stand-in for the gateway). The app's own
    /// callback URLs are registered with the emulator once the server has bound, and a warning says where it runs.
    /// <c>Emulator:AccessTokenLifetime</c> (for example <c>00:01:00</c>) shortens token lifetimes to watch refreshes;
    /// <c>Emulator:AutoApproveAs</c> (a username, such as <c>Example User</c>) approves every sign-in as that user, with
    /// no consent page, for scripted runs.
    /// </summary>
    /// <remarks>
    /// Never outside Development: a deployment that lost its configuration must not sign people in against an emulator
    /// whose consent page lets anyone pick any user. It stops at start-up instead, naming the keys to set.
    /// </remarks>
    /// <param name="builder">The app's builder.</param>
    /// <param name="scheme">The Wikimedia authentication scheme.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">No ClientId is configured and the environment is not Development.</exception>
    public static IHostApplicationBuilder AddWikimediaEmulatorWhenUnconfigured(
        this IHostApplicationBuilder builder, string scheme = WikimediaAuthenticationDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        if (!string.IsNullOrEmpty(builder.Configuration[$"Authentication:Schemes:{scheme}:ClientId"]))
        {
            return builder;
        }

        if (!builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"No Wikimedia consumer is configured for the '{builder.Environment.EnvironmentName}' environment. Set " +
                $"Authentication:Schemes:{scheme}:ClientId and Authentication:Schemes:{scheme}:ClientSecret (environment variables " +
                $"Authentication__Schemes__{scheme}__ClientId and ..__ClientSecret, or user-secrets). The built-in Wikimedia " +
                "emulator stands in for Wikimedia only in the Development environment.");
        }

        EmulatorWhenUnconfigured.Add(builder.Services, builder.Configuration, scheme);
        return builder;
    }
}
