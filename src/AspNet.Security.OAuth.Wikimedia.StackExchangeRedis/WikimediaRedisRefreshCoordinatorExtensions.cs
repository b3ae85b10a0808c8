using AspNet.Security.OAuth.Wikimedia;
using AspNet.Security.OAuth.Wikimedia.StackExchangeRedis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Turns on refresh coordination across the instances of a web farm, through Redis.
/// </summary>
public static class WikimediaRedisRefreshCoordinatorExtensions
{
    /// <summary>
    /// Makes every instance that shares <paramref name="connection"/>'s Redis refresh a session's tokens once: the
    /// concurrent requests of a due session, whichever instances they reach, make one token request, and the others
    /// wait for its result (shared through Redis, encrypted with Data Protection, for two minutes) and adopt it. It
    /// replaces the in-process <see cref="IWikimediaTokenRefreshCoordinator"/>, whether it is called before or after
    /// <c>AddWikimedia()</c>.
    /// </summary>
    /// <remarks>
    /// The instances must share their Data Protection keys (<c>PersistKeysToStackExchangeRedis</c>) and application
    /// name. Create the connection with <c>abortConnect=false</c>, so that the app starts while Redis is down. What
    /// happens while Redis cannot be reached: see <see cref="WikimediaRedisRefreshCoordinatorOptions.RefreshLocallyWhenUnavailable"/>
    /// and docs/production.md.
    /// </remarks>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="connection">The Redis connection, shared with the app's other uses of Redis.</param>
    /// <param name="configure">Changes to the options, or null.</param>
    /// <returns>The <see cref="AuthenticationBuilder"/>.</returns>
    public static AuthenticationBuilder AddWikimediaRedisRefreshCoordinator(
        this AuthenticationBuilder builder, IConnectionMultiplexer connection, Action<WikimediaRedisRefreshCoordinatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);

        builder.Services.AddDataProtection();
        builder.Services.TryAddSingleton(TimeProvider.System);
        var options = builder.Services.AddOptions<WikimediaRedisRefreshCoordinatorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.LeaseTime >= TimeSpan.FromSeconds(1), "WikimediaRedisRefreshCoordinatorOptions.LeaseTime must be at least one second.")
            .Validate(o => o.ResultRetention > TimeSpan.Zero, "WikimediaRedisRefreshCoordinatorOptions.ResultRetention must be positive.")
            .Validate(o => o.KeyPrefix is not null, "WikimediaRedisRefreshCoordinatorOptions.KeyPrefix must not be null.")
            .ValidateOnStart();

        builder.Services.TryAddSingleton<RefreshResultCodec>();
        // AddWikimedia() registers the in-process coordinator with TryAdd: replacing it works in either order.
        builder.Services.RemoveAll<IWikimediaTokenRefreshCoordinator>();
        builder.Services.AddSingleton<IWikimediaTokenRefreshCoordinator>(services => new RedisTokenRefreshCoordinator(
            connection,
            services.GetRequiredService<IOptions<WikimediaRedisRefreshCoordinatorOptions>>(),
            services.GetRequiredService<RefreshResultCodec>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<RedisTokenRefreshCoordinator>>()));
        return builder;
    }
}
