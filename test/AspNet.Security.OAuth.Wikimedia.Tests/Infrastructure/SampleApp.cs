using AspNet.Security.OAuth.Wikimedia.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

/// <summary>
/// The sample web app as a user runs it (no credentials, so with its built-in emulator), on a real loopback socket.
/// </summary>
public sealed class SampleApp : WebApplicationFactory<Program>
{
    private readonly Action<IWebHostBuilder>? _configure;

    public SampleApp(Action<IWebHostBuilder>? configure = null)
    {
        _configure = configure;
        UseKestrel(0);
        StartServer();
    }

    public Uri BaseAddress => ClientOptions.BaseAddress;

    public WikimediaEmulator Emulator => Services.GetRequiredService<WikimediaEmulator>();

    public FakeLogCollector Logs => Services.GetRequiredService<FakeLogCollector>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The emulator stands in for Wikimedia only in Development (AddWikimediaEmulatorWhenUnconfigured, src/AspNet.Security.OAuth.Wikimedia.Testing/Hosting).
        builder.UseEnvironment("Development");
        builder.UseSetting("Authentication:Schemes:Wikimedia:ClientId", "");
        builder.ConfigureLogging(logging => logging.AddFakeLogging().AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));
        _configure?.Invoke(builder);
    }
}
