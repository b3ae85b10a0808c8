using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;

/// <summary>The in-process tests' minimal app, signing in with a consumer of the real wiki, on the registered callback's port.</summary>
public static class InteropApp
{
    public const string UserAgent = "InteropTests/1.0 (test/AspNet.Security.OAuth.Wikimedia.InteropTests) AspNet.Security.OAuth.Wikimedia";

    public static Task<TestApp> StartAsync(
        RealWiki wiki,
        WikiConsumer consumer,
        Action<WikimediaAuthenticationOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? endpoints = null)
        => TestApp.StartAsync(
            emulator: null,
            o =>
            {
                o.Authority = wiki.Authority;
                o.ClientId = consumer.ClientId;
                o.ClientSecret = consumer.ClientSecret ?? "";
                o.UserAgent = UserAgent;
                configure?.Invoke(o);
            },
            services: s =>
            {
                // TestApp's /api/perwiki calls this client: here, the real wiki's own REST API.
                s.AddHttpClient("enwiki").ConfigureHttpClient(c => c.BaseAddress = new Uri(wiki.RestRoot, "v1/"));
                services?.Invoke(s);
            },
            url: RealWiki.AppAddress.ToString().TrimEnd('/'),
            endpoints: endpoints);
}
