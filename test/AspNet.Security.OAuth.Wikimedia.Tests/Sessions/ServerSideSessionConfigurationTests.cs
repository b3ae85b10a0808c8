using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sessions;

/// <summary>How server-side sessions are turned on, and what a wrong configuration says.</summary>
public sealed class ServerSideSessionConfigurationTests
{
    /// <summary>A consumer that passes validation, so that the error asserted is the session store's.</summary>
    private static void ValidConsumer(WikimediaAuthenticationOptions options) => options.ClientId = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    [Fact]
    public async Task Without_a_distributed_cache_the_app_fails_at_startup_saying_which_cache_to_register()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApp.StartAsync(null, ValidConsumer, services: s => s.AddAuthentication().AddWikimediaServerSideSessions()));

        Assert.Contains("IDistributedCache", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddStackExchangeRedisCache", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_store_of_the_apps_own_is_not_silently_replaced()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApp.StartAsync(null, ValidConsumer, services: s =>
        {
            s.AddDistributedMemoryCache();
            s.AddAuthentication().AddWikimediaServerSideSessions();
        }, cookie: o => o.SessionStore = new OwnStore()));

        Assert.Contains("already has a SessionStore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_key_prefix_can_be_chosen()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, services: s =>
        {
            s.AddDistributedMemoryCache();
            s.AddAuthentication().AddWikimediaServerSideSessions(CookieAuthenticationDefaults.AuthenticationScheme, o => o.KeyPrefix = "app1:session:");
        });
        var store = (Wikimedia.Sessions.DistributedSessionStore)app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(CookieAuthenticationDefaults.AuthenticationScheme).SessionStore!;

        Assert.Equal("app1:session:abc", store.CacheKey("abc"));
        Assert.NotNull(app.Services.GetRequiredService<IDistributedCache>());
    }

    private sealed class OwnStore : ITicketStore
    {
        public Task RemoveAsync(string key) => Task.CompletedTask;

        public Task RenewAsync(string key, Microsoft.AspNetCore.Authentication.AuthenticationTicket ticket) => Task.CompletedTask;

        public Task<Microsoft.AspNetCore.Authentication.AuthenticationTicket?> RetrieveAsync(string key) => Task.FromResult<Microsoft.AspNetCore.Authentication.AuthenticationTicket?>(null);

        public Task<string> StoreAsync(Microsoft.AspNetCore.Authentication.AuthenticationTicket ticket) => Task.FromResult("own");
    }
}
