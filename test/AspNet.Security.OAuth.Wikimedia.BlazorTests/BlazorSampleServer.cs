using AspNet.Security.OAuth.Wikimedia.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.BlazorTests;

/// <summary>
/// The Blazor sample as a user runs it with no credentials (against its built-in emulator), on a real loopback socket,
/// on a fake clock that a test moves forward to outlive tokens while circuits stay open.
/// </summary>
public sealed class BlazorSampleServer : WebApplicationFactory<Program>
{
    public BlazorSampleServer()
    {
        UseKestrel(0);
        StartServer();
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public WikimediaEmulator Emulator => Services.GetRequiredService<WikimediaEmulator>();

    public string Url(string path) => new Uri(ClientOptions.BaseAddress, path).ToString();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Authentication:Schemes:Wikimedia:ClientId", "");
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
    }
}
