using AspNet.Security.OAuth.Wikimedia;
using AspNet.Security.OAuth.Wikimedia.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace WikimediaSample;

/// <summary>
/// Runs the sample with no credentials: when <c>Authentication:Schemes:Wikimedia:ClientId</c> is not set in the
/// Development environment, an in-process Wikimedia emulator is started and the handler and the API client point at it
/// (at its REST root when <c>WikimediaApi:BaseAddress</c> is a REST root, else at its stand-in for the gateway).
/// </summary>
/// <remarks>
/// Never outside Development: a deployment that lost its configuration must not sign people in against an emulator
/// whose consent page lets anyone pick any user. It stops at start-up instead, naming the keys to set.
/// </remarks>
public static partial class EmulatorSetup
{
    public static WebApplicationBuilder AddWikimediaEmulatorWhenUnconfigured(this WebApplicationBuilder builder)
    {
        if (!string.IsNullOrEmpty(builder.Configuration["Authentication:Schemes:Wikimedia:ClientId"]))
        {
            return builder;
        }

        if (!builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"No Wikimedia consumer is configured for the '{builder.Environment.EnvironmentName}' environment. Set " +
                "Authentication:Schemes:Wikimedia:ClientId and Authentication:Schemes:Wikimedia:ClientSecret (environment variables " +
                "Authentication__Schemes__Wikimedia__ClientId and ..__ClientSecret, or user-secrets). The built-in Wikimedia " +
                "emulator stands in for Wikimedia only in the Development environment.");
        }

        // Created, started and disposed by the container; it keeps the app's clock, and Emulator:AccessTokenLifetime
        // (for example 00:01:00) shortens token lifetimes to watch refreshes happen.
        var lifetime = builder.Configuration.GetValue<TimeSpan?>("Emulator:AccessTokenLifetime");
        builder.Services.AddSingleton(services => WikimediaEmulator.Start(options =>
        {
            options.TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
            options.AccessTokenLifetime = lifetime ?? options.AccessTokenLifetime;
        }));
        builder.Services.AddOptions<WikimediaAuthenticationOptions>(WikimediaAuthenticationDefaults.AuthenticationScheme)
            .Configure<WikimediaEmulator>((options, emulator) => options.UseEmulator(emulator));
        // The emulator stands in for the configured API in its mode: a REST root in WikimediaApi:BaseAddress
        // (https://en.wikipedia.org/w/rest.php/) becomes the emulator's REST root, the gateway its gateway routes.
        builder.Services.AddOptions<WikimediaApiOptions>()
            .Configure<WikimediaEmulator>((options, emulator) =>
                options.BaseAddress = options.IsRestRoot ? emulator.RestApiBaseAddress : emulator.ApiBaseAddress);
        builder.Services.AddHostedService<EmulatorAnnouncer>();
        return builder;
    }

    /// <summary>Registers the app's own callback URLs with the emulator once Kestrel has bound, and says where it runs.</summary>
    private sealed partial class EmulatorAnnouncer(WikimediaEmulator emulator, IServer server, IHostApplicationLifetime lifetime, ILogger<EmulatorAnnouncer> logger) : IHostedService
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
