using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WikimediaSample;
using Xunit.Abstractions;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests;

/// <summary>
/// The sample as a farm (sample-webapp/FarmSetup.cs): two instances with <c>ConnectionStrings:Redis</c> set, on
/// loopback sockets, configured against one shared emulator as they would be against Wikimedia.
/// </summary>
public sealed class SampleFarmTests(ITestOutputHelper output)
{
    private const string CookieName = "__Host-wikimedia-sample";

    [Fact]
    public async Task A_sign_in_started_on_one_instance_completes_on_the_other_and_both_honour_its_short_cookie()
    {
        await using var redis = await RedisServer.StartAsync();
        using var emulator = WikimediaEmulator.Start();
        using var a = new FarmSample(emulator, redis);
        using var b = new FarmSample(emulator, redis);
        using var browser = new TestBrowser();

        // A load balancer keeps the public Host, so both instances build the same callback URL: played here by sending
        // the callback to B's socket with A's Host header (the handler sends redirect_uri built from the request).
        var callback = await browser.AllowWithoutReturningAsync(a.BaseAddress);
        Assert.Equal(a.BaseAddress.Authority, callback.Authority);
        var onB = new UriBuilder(callback) { Port = b.BaseAddress.Port }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, onB);
        request.Headers.Host = a.BaseAddress.Authority;
        using var landed = await browser.FollowRedirectsAsync(await browser.SendAsync(request));

        // B unprotected A's state and correlation cookie with the shared key ring, and redeemed the code.
        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal(b.BaseAddress.Port, landed.RequestMessage!.RequestUri!.Port);
        Assert.Contains("Example User", await landed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(emulator.TokenRequests);

        // The cookie is a reference to the session in Redis, and either instance serves it.
        var cookies = browser.CookiesFor(a.BaseAddress).Where(c => c.Name.StartsWith(CookieName, StringComparison.Ordinal)).ToArray();
        var cookie = Assert.Single(cookies);
        var bytes = cookie.Name.Length + 1 + cookie.Value.Length;
        Assert.InRange(bytes, 1, 499);
        foreach (var instance in new[] { a, b })
        {
            using var profile = await browser.GetAsync(new Uri(instance.BaseAddress, "/Profile"));
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
            Assert.Contains("Example User", await profile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The key ring, the session and the refresh coordinator are Redis's.
        await using var observer = await redis.ConnectAsync();
        var database = observer.GetDatabase();
        Assert.True(await database.ListLengthAsync(FarmSetup.KeyRingKey) >= 1);
        var server = observer.GetServer(observer.GetEndPoints().Single());
        Assert.NotEmpty(server.Keys(pattern: FarmSetup.CacheInstanceName + "*").ToArray());
        Assert.All(new[] { a, b }, instance =>
            Assert.Equal("RedisTokenRefreshCoordinator", instance.Services.GetRequiredService<IWikimediaTokenRefreshCoordinator>().GetType().Name));
        output.WriteLine($"figures: the sample's farm-mode cookie: {bytes} bytes in 1 chunk, honoured by both instances");
    }

    [Fact]
    public async Task Without_the_shared_key_ring_the_other_instance_refuses_the_callback()
    {
        // The control for the test above: the same two instances without Redis keep their own keys, so B cannot read
        // A's state; the callback fails there (sample-webapp/SignInFailure.cs) and no code is redeemed.
        using var emulator = WikimediaEmulator.Start();
        using var a = new FarmSample(emulator, redis: null);
        using var b = new FarmSample(emulator, redis: null);
        using var browser = new TestBrowser();

        var callback = await browser.AllowWithoutReturningAsync(a.BaseAddress);
        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(callback) { Port = b.BaseAddress.Port }.Uri);
        request.Headers.Host = a.BaseAddress.Authority;
        using var landed = await browser.FollowRedirectsAsync(await browser.SendAsync(request));

        Assert.DoesNotContain("Example User", await landed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(emulator.TokenRequests);
    }

    /// <summary>
    /// One sample instance, configured as in production against the emulator (a consumer's key, secret
    /// and Authority, so that EmulatorSetup stays out), with <c>ConnectionStrings:Redis</c> when a Redis is given.
    /// </summary>
    private sealed class FarmSample : WebApplicationFactory<Program>
    {
        private readonly WikimediaEmulator _emulator;
        private readonly RedisServer? _redis;
        private readonly string _keys = Path.Combine(Path.GetTempPath(), "sample-farm-keys-" + Guid.NewGuid().ToString("N"));

        public FarmSample(WikimediaEmulator emulator, RedisServer? redis)
        {
            _emulator = emulator;
            _redis = redis;
            UseKestrel(0);
            StartServer();
            emulator.Client().RedirectUris.Add(new Uri(BaseAddress, WikimediaAuthenticationDefaults.CallbackPath).ToString());
        }

        public Uri BaseAddress => ClientOptions.BaseAddress;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            var client = _emulator.Client();
            builder.UseSetting("Authentication:Schemes:Wikimedia:ClientId", client.ClientId);
            builder.UseSetting("Authentication:Schemes:Wikimedia:ClientSecret", client.ClientSecret);
            builder.UseSetting("Authentication:Schemes:Wikimedia:Authority", _emulator.Authority);
            builder.UseSetting("WikimediaApi:BaseAddress", _emulator.ApiBaseAddress.ToString());
            builder.UseSetting("ConnectionStrings:Redis", _redis?.Configuration ?? "");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            if (_redis is null)
            {
                // Each instance its own key ring, as two machines without shared keys would have.
                builder.ConfigureServices(services => services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(_keys)));
            }
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (Directory.Exists(_keys))
            {
                Directory.Delete(_keys, recursive: true);
            }
        }
    }
}
