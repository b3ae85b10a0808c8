using System.Security.Cryptography;
using System.Text;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests;

/// <summary>
/// Several instances of the test app behind one Redis, as a web farm: each with its own Redis connection, the Data
/// Protection keys in Redis (so each instance reads the others' cookies), refresh coordination in Redis, and, when
/// asked, server-side sessions in Redis. One emulator and one fake clock (token lifetimes) serve them all; leases and
/// retention are Redis's real time.
/// </summary>
public sealed class RedisFarm : IAsyncDisposable
{
    public const string CoordinatorPrefix = "test:refresh:";

    private readonly List<IConnectionMultiplexer> _connections;

    private RedisFarm(RedisServer redis, FakeTimeProvider time, WikimediaEmulator emulator, IReadOnlyList<TestApp> apps, List<IConnectionMultiplexer> connections, IConnectionMultiplexer observer)
    {
        Redis = redis;
        Time = time;
        Emulator = emulator;
        Apps = apps;
        _connections = connections;
        Observer = observer;
    }

    public RedisServer Redis { get; }

    public FakeTimeProvider Time { get; }

    public WikimediaEmulator Emulator { get; }

    public IReadOnlyList<TestApp> Apps { get; }

    /// <summary>The test's own connection, to look into Redis.</summary>
    public IConnectionMultiplexer Observer { get; }

    public TestBrowser Browser { get; } = new();

    public IReadOnlyList<EmulatorRequest> Refreshes => Emulator.Requests.Where(r => r.IsRefresh).ToArray();

    public TimeSpan Lifetime => Emulator.Options.AccessTokenLifetime;

    public static async Task<RedisFarm> StartAsync(
        int instances,
        bool serverSideSessions,
        EmulatedServer server = EmulatedServer.MediaWiki139,
        Action<WikimediaRedisRefreshCoordinatorOptions>? coordinator = null,
        Action<WikimediaEmulatorOptions>? emulatorOptions = null)
    {
        var redis = await RedisServer.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var emulator = WikimediaEmulator.Start(o =>
        {
            o.TimeProvider = time;
            o.Server = server;
            emulatorOptions?.Invoke(o);
        });
        var connections = new List<IConnectionMultiplexer>();
        var apps = new List<TestApp>();
        for (var i = 0; i < instances; i++)
        {
            var connection = await redis.ConnectAsync();
            connections.Add(connection);
            apps.Add(await TestApp.StartAsync(emulator, o => o.UseEmulator(emulator), services: s =>
            {
                s.AddSingleton<TimeProvider>(time);
                s.AddDataProtection().SetApplicationName("redis-farm-tests").PersistKeysToStackExchangeRedis(connection, "test:dataprotection-keys");
                var authentication = s.AddAuthentication().AddWikimediaRedisRefreshCoordinator(connection, o =>
                {
                    o.KeyPrefix = CoordinatorPrefix;
                    coordinator?.Invoke(o);
                });
                if (serverSideSessions)
                {
                    s.AddStackExchangeRedisCache(o =>
                    {
                        o.ConnectionMultiplexerFactory = () => Task.FromResult(connection);
                        o.InstanceName = "test:";
                    });
                    authentication.AddWikimediaServerSideSessions();
                }
            }));
        }

        return new RedisFarm(redis, time, emulator, apps, connections, await redis.ConnectAsync());
    }

    /// <summary>Signs in on instance 0 (which creates the shared key ring), and reads <c>/me</c> there.</summary>
    public async Task<MeResponse> SignInAsync(string user = "Example User")
        => await MeResponse.ReadAsync(await Browser.SignInAsync(Apps[0].BaseAddress, user));

    public async Task<HttpResponseMessage> GetAsync(string path, int instance) => await Browser.GetAsync(new Uri(Apps[instance].BaseAddress, path));

    public async Task<MeResponse> MeAsync(int instance)
    {
        using var response = await GetAsync("/me", instance);
        return await MeResponse.ReadAsync(response);
    }

    /// <summary>The cookies the browser holds now, to send again later as they are.</summary>
    public string CookieHeader() => string.Join("; ", Browser.CookiesFor(Apps[0].BaseAddress).Select(c => c.Name + "=" + c.Value));

    /// <summary>Sends a request with exactly <paramref name="cookieHeader"/>, outside the browser's cookie jar.</summary>
    public async Task<HttpResponseMessage> GetWithCookieAsync(string path, string cookieHeader, int instance)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Apps[instance].BaseAddress, path));
        request.Headers.Add("Cookie", cookieHeader);
        return await client.SendAsync(request);
    }

    /// <summary>
    /// The coordinator's key of a session whose refresh token is <paramref name="refreshToken"/>, at generation
    /// <paramref name="generation"/> (0: the tokens of the sign-in), as Tokens/SessionTokens.cs derives it.
    /// </summary>
    public static string SessionKey(string refreshToken, int generation = 0)
        => WikimediaAuthenticationDefaults.AuthenticationScheme + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)).AsSpan(0, 16)) +
           ":" + generation.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits until every instance's connection is back after Redis started again.</summary>
    public async Task WaitConnectedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!_connections.All(c => c.IsConnected) || !Observer.IsConnected)
        {
            Assert.True(DateTime.UtcNow < deadline, "The instances did not reconnect to Redis within 20 s.");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        foreach (var app in Apps)
        {
            await app.DisposeAsync();
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        await Observer.DisposeAsync();
        Emulator.Dispose();
        await Redis.DisposeAsync();
    }
}
