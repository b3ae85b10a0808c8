using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Hosting;

/// <summary>The services behind <see cref="WikimediaEmulatorHostingExtensions.AddWikimediaEmulatorWhenUnconfigured"/>.</summary>
internal static partial class EmulatorWhenUnconfigured
{
    public static void Add(IServiceCollection services, IConfiguration configuration, string scheme)
    {
        // Created, started and disposed by the container; it keeps the app's clock.
        var lifetime = configuration.GetValue<TimeSpan?>("Emulator:AccessTokenLifetime");
        var autoApproveAs = configuration["Emulator:AutoApproveAs"];
        services.AddSingleton(provider => WikimediaEmulator.Start(options =>
        {
            options.TimeProvider = provider.GetService<TimeProvider>() ?? TimeProvider.System;
            options.AccessTokenLifetime = lifetime ?? options.AccessTokenLifetime;
            // For scripted sign-ins (curl, in test/package-smoke/run.sh): no consent page to click.
            options.AutoApproveAs = string.IsNullOrEmpty(autoApproveAs) ? options.AutoApproveAs : autoApproveAs;
            // So that an app's pages that edit as the user work offline too (docs/emulator.md, "Editing").
            foreach (var client in options.Clients)
            {
                client.Grants.Add("editpage");
                client.Grants.Add("createeditmovepage");
            }
        }));
        services.AddOptions<WikimediaAuthenticationOptions>(scheme)
            .Configure<WikimediaEmulator>((options, emulator) => options.UseEmulator(emulator));
        // The emulator stands in for the configured API in its mode: a REST root in WikimediaApi:BaseAddress
        // (https://en.wikipedia.org/w/rest.php/) becomes the emulator's REST root, the gateway its gateway routes.
        services.AddOptions<WikimediaApiOptions>()
            .Configure<WikimediaEmulator>((options, emulator) =>
                options.BaseAddress = options.IsRestRoot ? emulator.RestApiBaseAddress : emulator.ApiBaseAddress);
        services.AddHostedService<Announcer>();
    }

    /// <summary>Registers the app's own callback URLs with the emulator once the server has bound, and says where it runs.</summary>
    private sealed partial class Announcer(
        WikimediaEmulator emulator, IServer server, IHostApplicationLifetime lifetime, ILogger<Announcer> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(() =>
            {
                // The emulator, like Wikimedia, wants the exact callback; http://localhost:port is not a loopback IP.
                var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                foreach (var address in addresses)
                {
                    emulator.Client().RedirectUris.Add(address.TrimEnd('/') + WikimediaAuthenticationDefaults.CallbackPath);
                }

                UsingEmulator(logger, emulator.BaseAddress);
            });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(1, LogLevel.Warning, "No Wikimedia ClientId is configured: signing in against the built-in Wikimedia emulator at {Address}. " +
            "Set Authentication:Schemes:Wikimedia:ClientId and ClientSecret (user-secrets or environment) to use the real Wikimedia.")]
        private static partial void UsingEmulator(ILogger logger, Uri address);
    }
}
