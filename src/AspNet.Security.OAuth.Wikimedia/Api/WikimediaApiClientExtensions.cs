using AspNet.Security.OAuth.Wikimedia;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the Wikimedia API client and the handler that sends requests as the signed-in user.
/// </summary>
public static class WikimediaApiClientExtensions
{
    /// <summary>
    /// Registers <see cref="WikimediaApiClient"/> as a typed client over <c>IHttpClientFactory</c>, with the options of
    /// the <c>WikimediaApi</c> section (<c>BaseAddress</c>: a wiki's REST root such as <c>https://en.wikipedia.org/w/rest.php/</c>,
    /// or the gateway <c>https://api.wikimedia.org/</c>, the default; <c>Project</c> and <c>Language</c> for the gateway)
    /// and <see cref="WikimediaBearerTokenHandler"/>. Call it after <c>AddWikimedia()</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes to the options, applied after configuration.</param>
    /// <returns>The typed client's builder, to add handlers such as resilience.</returns>
    public static IHttpClientBuilder AddWikimediaApiClient(this IServiceCollection services, Action<WikimediaApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddTransient<WikimediaBearerTokenHandler>();
        var options = services.AddOptions<WikimediaApiOptions>().BindConfiguration(WikimediaApiOptions.ConfigurationSection);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services.AddHttpClient<WikimediaApiClient>((provider, client) =>
            {
                var api = provider.GetRequiredService<IOptionsMonitor<WikimediaApiOptions>>().CurrentValue;
                client.BaseAddress = WikimediaApiRoot.WithTrailingSlash(api.BaseAddress);
                client.Timeout = api.Timeout;
                // A huge answer is a failed result, not a process that buffers it.
                client.MaxResponseContentBufferSize = WikimediaApiClient.MaxResponseContentBufferSize;
            })
            .AddWikimediaUserToken();
    }

    /// <summary>
    /// Adds <see cref="WikimediaBearerTokenHandler"/> to any <see cref="HttpClient"/>, so that it calls Wikimedia as the
    /// signed-in user, for example a client of <c>https://en.wikipedia.org/w/rest.php/v1/</c>.
    /// </summary>
    /// <remarks>
    /// It also removes the client's default <c>IHttpClientFactory</c> loggers, which would write the Bearer token in the
    /// structured state of their Trace entries.
    /// </remarks>
    /// <param name="builder">The client's builder.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddWikimediaUserToken(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddTransient<WikimediaBearerTokenHandler>();
        builder.Services.AddOptions<WikimediaApiOptions>();
        // IHttpClientFactory's default loggers put every request header, unredacted, in the structured state of a
        // Trace entry (only the message text is redacted), where JSON and OpenTelemetry sinks would export the
        // Bearer token. So this client has none; WikimediaBearerTokenHandler logs what matters itself.
        return builder.AddHttpMessageHandler<WikimediaBearerTokenHandler>().RemoveAllLoggers();
    }
}
