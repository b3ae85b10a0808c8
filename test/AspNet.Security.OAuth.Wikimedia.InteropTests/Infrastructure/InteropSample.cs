using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;

/// <summary>
/// The sample as a user deploys it against a wiki of their own: the real wiki's consumer in configuration, nothing
/// else changed, on the registered callback's port.
/// </summary>
public sealed class InteropSample : WebApplicationFactory<Program>
{
    private readonly RealWiki _wiki;
    private readonly WikiConsumer _consumer;
    private readonly string? _scope;

    public InteropSample(RealWiki wiki, WikiConsumer consumer, string? scope = null)
    {
        _wiki = wiki;
        _consumer = consumer;
        _scope = scope;
        UseKestrel(o => o.Listen(IPAddress.Loopback, RealWiki.AppPort));
        StartServer();
    }

    public static Uri BaseAddress => RealWiki.AppAddress;

    public static string Url(string path) => new Uri(BaseAddress, path).ToString();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Authentication:Schemes:Wikimedia:ClientId", _consumer.ClientId);
        builder.UseSetting("Authentication:Schemes:Wikimedia:ClientSecret", _consumer.ClientSecret ?? "");
        builder.UseSetting("Authentication:Schemes:Wikimedia:Authority", _wiki.Authority);
        builder.UseSetting("WikimediaApi:BaseAddress", _wiki.RestRoot.ToString());
        if (_scope is not null)
        {
            builder.UseSetting("Authentication:Schemes:Wikimedia:Scope", _scope);
        }
    }
}
