using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.BlazorTests;

/// <summary>
/// The Blazor sample deployed against the real wiki: its consumer in configuration, on the registered callback's port,
/// on a fake clock that outlives the wiki's one-hour access tokens at once, with its log collected.
/// </summary>
public sealed class RealWikiBlazorSample : WebApplicationFactory<Program>
{
    private readonly RealWiki _wiki;
    private readonly WikiConsumer _consumer;

    public RealWikiBlazorSample(RealWiki wiki, WikiConsumer consumer)
    {
        _wiki = wiki;
        _consumer = consumer;
        UseKestrel(o => o.Listen(IPAddress.Loopback, RealWiki.AppPort));
        StartServer();
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>How many times the handler refreshed tokens at the wiki (log id 20), and how many refreshes failed (21, 22).</summary>
    public int Refreshes => Logs.GetSnapshot().Count(l => l.Category == RefresherCategory && l.Id.Id == 20);

    public int FailedRefreshes => Logs.GetSnapshot().Count(l => l.Category == RefresherCategory && l.Id.Id is 21 or 22);

    public static string Url(string path) => new Uri(RealWiki.AppAddress, path).ToString();

    private const string RefresherCategory = "AspNet.Security.OAuth.Wikimedia.Tokens.WikimediaTokenRefresher";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // A published app serves blazor.web.js from its publish folder; run from the build output in Production, it
        // needs the build's static web assets manifest, which only Development loads by itself.
        builder.UseStaticWebAssets();
        builder.UseSetting("Authentication:Schemes:Wikimedia:ClientId", _consumer.ClientId);
        builder.UseSetting("Authentication:Schemes:Wikimedia:ClientSecret", _consumer.ClientSecret ?? "");
        builder.UseSetting("Authentication:Schemes:Wikimedia:Authority", _wiki.Authority);
        builder.UseSetting("WikimediaApi:BaseAddress", _wiki.RestRoot.ToString());
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddLogging(logging => logging.AddFakeLogging());
        });
    }
}
