using AspNet.Security.OAuth.Wikimedia.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.BrowserTests;

/// <summary>
/// The sample as a user runs it with no credentials (so against its built-in emulator), on a real loopback socket,
/// on a fake clock that a test moves forward instead of waiting.
/// </summary>
public sealed class SampleServer : WebApplicationFactory<Program>
{
    public SampleServer()
    {
        UseKestrel(0);
        StartServer();
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public Uri BaseAddress => ClientOptions.BaseAddress;

    public WikimediaEmulator Emulator => Services.GetRequiredService<WikimediaEmulator>();

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The emulator stands in for Wikimedia only in Development (AddWikimediaEmulatorWhenUnconfigured, src/AspNet.Security.OAuth.Wikimedia.Testing/Hosting).
        builder.UseEnvironment("Development");
        builder.UseSetting("Authentication:Schemes:Wikimedia:ClientId", "");
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
    }
}
