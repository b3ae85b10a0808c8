using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

namespace WikimediaSample;

/// <summary>
/// Runs the sample as one instance of a web farm: when <c>ConnectionStrings:Redis</c> is set (for example
/// <c>127.0.0.1:6379</c>), the Data Protection keys, the sessions (server-side, the cookie holds only a reference) and
/// the token refresh coordination live in that Redis, so that any instance can complete a sign-in another started and
/// serve any session. Without it, nothing changes: keys on this machine, the session in the cookie, refresh coordinated
/// in this process. See docs/production.md, "The sample as a farm".
/// </summary>
/// <remarks>
/// The built-in emulator (AddWikimediaEmulatorWhenUnconfigured in the emulator package) lives in one process: instances that each start their own
/// cannot redeem each other's codes. Farm mode is meant with a real consumer, or one emulator shared by configuring
/// Authentication:Schemes:Wikimedia:Authority, ClientId and ClientSecret on every instance.
/// </remarks>
public static class FarmSetup
{
    /// <summary>The application name that every instance shares, so that they read each other's protected data.</summary>
    public const string ApplicationName = "AspNet.Security.OAuth.Wikimedia.Sample";

    /// <summary>The Redis key of the Data Protection key ring.</summary>
    public const string KeyRingKey = "wikimedia-sample:dataprotection-keys";

    /// <summary>The prefix of the sample's cache entries (the server-side sessions).</summary>
    public const string CacheInstanceName = "wikimedia-sample:";

    public static WebApplicationBuilder AddRedisFarmWhenConfigured(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrEmpty(configuration))
        {
            return builder;
        }

        // One connection for the key ring, the cache and the coordinator. abortConnect=false lets the app start while
        // Redis is down (src/AspNet.Security.OAuth.Wikimedia.StackExchangeRedis/WikimediaRedisRefreshCoordinatorExtensions.cs).
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        var connection = ConnectionMultiplexer.Connect(options);
        // A factory, so that the container disposes the connection with the app; the cache resolves it at start-up.
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => connection);

        builder.Services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToStackExchangeRedis(connection, KeyRingKey);
        builder.Services.AddStackExchangeRedisCache(cache => cache.InstanceName = CacheInstanceName);
        builder.Services.AddOptions<RedisCacheOptions>()
            .Configure<IConnectionMultiplexer>((cache, shared) => cache.ConnectionMultiplexerFactory = () => Task.FromResult(shared));
        // The sample signs in to the default cookie scheme (sample-webapp/Program.cs).
        builder.Services.AddAuthentication()
            .AddWikimediaServerSideSessions()
            .AddWikimediaRedisRefreshCoordinator(connection);
        return builder;
    }
}
