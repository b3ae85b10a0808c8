using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Sessions;

/// <summary>
/// Gives the cookie scheme <see cref="DistributedSessionStore"/> as its <see cref="CookieAuthenticationOptions.SessionStore"/>,
/// over the app's <see cref="IDistributedCache"/>.
/// </summary>
internal static class ServerSideSessionsSetup
{
    /// <summary>The longest <see cref="WikimediaServerSideSessionOptions.StoreTimeout"/> a timer can wait (<see cref="Task.WaitAsync(TimeSpan)"/>).</summary>
    public static readonly TimeSpan MaximumStoreTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public static void Apply(string scheme, CookieAuthenticationOptions options, IServiceProvider services)
    {
        if (options.SessionStore is DistributedSessionStore)
        {
            return;
        }

        if (options.SessionStore is not null)
        {
            throw new InvalidOperationException(
                $"The cookie scheme '{scheme}' already has a SessionStore ({options.SessionStore.GetType().FullName}), and AddWikimediaServerSideSessions " +
                "gives it its own: keep one of them.");
        }

        var cache = services.GetService<IDistributedCache>() ?? throw new InvalidOperationException(
            $"AddWikimediaServerSideSessions keeps the sessions of cookie scheme '{scheme}' in an IDistributedCache, and none is registered. Register the " +
            "cache that all instances of the app share, for example services.AddStackExchangeRedisCache(...), or, for a single instance, " +
            "services.AddDistributedMemoryCache().");

        var dataProtection = options.DataProtectionProvider ?? services.GetRequiredService<IDataProtectionProvider>();
        var sessions = services.GetRequiredService<IOptionsMonitor<WikimediaServerSideSessionOptions>>().Get(scheme);
        // Task.WaitAsync takes at most 4,294,967,294 ms: a longer time-out would make every call to the cache throw.
        if (sessions.StoreTimeout != Timeout.InfiniteTimeSpan && (sessions.StoreTimeout <= TimeSpan.Zero || sessions.StoreTimeout > MaximumStoreTimeout))
        {
            throw new InvalidOperationException(
                $"The StoreTimeout of the server-side sessions of cookie scheme '{scheme}' must be positive and at most {MaximumStoreTimeout} (a timer's longest), " +
                $"or Timeout.InfiniteTimeSpan; it is {sessions.StoreTimeout}.");
        }

        options.SessionStore = new DistributedSessionStore(
            scheme,
            sessions.KeyPrefix ?? "",
            new BoundedCache(cache, sessions.StoreTimeout),
            dataProtection.CreateProtector(DistributedSessionStore.Purpose, scheme),
            services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>(),
            services.GetRequiredService<IOptionsMonitor<WikimediaAuthenticationOptions>>(),
            services.GetRequiredService<RotationLedger>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<DistributedSessionStore>>());
    }
}
