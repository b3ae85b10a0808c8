using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Configuration;

/// <summary>
/// Binds <see cref="WikimediaAuthenticationOptions"/> from <c>Authentication:Schemes:{scheme}</c>, as the framework's
/// JwtBearerConfigureOptions does for JWT bearer, so that an app can be configured with no code.
/// Registered before the app's own configuration delegate, which therefore wins.
/// </summary>
internal sealed class WikimediaConfigureOptions(IAuthenticationConfigurationProvider configurationProvider)
    : IConfigureNamedOptions<WikimediaAuthenticationOptions>
{
    public void Configure(WikimediaAuthenticationOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, WikimediaAuthenticationOptions options)
    {
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        var section = configurationProvider.GetSchemeConfiguration(name);
        if (!section.GetChildren().Any())
        {
            return;
        }

        options.ClientId = section[nameof(options.ClientId)] ?? options.ClientId;
        options.ClientSecret = section[nameof(options.ClientSecret)] ?? options.ClientSecret;
        options.Authority = section[nameof(options.Authority)] ?? options.Authority;
        options.AuthorizationEndpoint = section[nameof(options.AuthorizationEndpoint)] ?? options.AuthorizationEndpoint;
        options.TokenEndpoint = section[nameof(options.TokenEndpoint)] ?? options.TokenEndpoint;
        options.UserInformationEndpoint = section[nameof(options.UserInformationEndpoint)] ?? options.UserInformationEndpoint;
        options.UserAgent = section[nameof(options.UserAgent)] ?? options.UserAgent;
        options.CallbackPath = section[nameof(options.CallbackPath)] ?? options.CallbackPath;
        options.AccessDeniedPath = section[nameof(options.AccessDeniedPath)] ?? options.AccessDeniedPath;
        options.ClaimsIssuer = section[nameof(options.ClaimsIssuer)] ?? options.ClaimsIssuer;
        options.SignInScheme = section[nameof(options.SignInScheme)] ?? options.SignInScheme;
        options.UsePkce = ReadBoolean(section, nameof(options.UsePkce)) ?? options.UsePkce;
        options.SaveTokens = ReadBoolean(section, nameof(options.SaveTokens)) ?? options.SaveTokens;
        options.BackchannelTimeout = ReadTimeSpan(section, nameof(options.BackchannelTimeout)) ?? options.BackchannelTimeout;
        options.RemoteAuthenticationTimeout = ReadTimeSpan(section, nameof(options.RemoteAuthenticationTimeout)) ?? options.RemoteAuthenticationTimeout;
        options.RefreshBeforeExpiration = ReadTimeSpan(section, nameof(options.RefreshBeforeExpiration)) ?? options.RefreshBeforeExpiration;

        // Scope: either "basic editpage" (one string, space separated, as on the wire) or an array.
        var scope = section.GetSection(nameof(options.Scope));
        var scopes = scope.Value is { } line
            ? line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : scope.GetChildren().Select(c => c.Value).OfType<string>().ToArray();
        if (scope.Exists())
        {
            options.Scope.Clear();
            foreach (var value in scopes)
            {
                options.Scope.Add(value);
            }
        }
    }

    private static bool? ReadBoolean(IConfiguration section, string key)
    {
        var value = section[key];
        if (value is null)
        {
            return null;
        }

        return bool.TryParse(value, out var result)
            ? result
            : throw new InvalidOperationException($"Configuration key {(section as IConfigurationSection)?.Path}:{key} must be true or false; it is '{value}'.");
    }

    private static TimeSpan? ReadTimeSpan(IConfiguration section, string key)
    {
        var value = section[key];
        if (value is null)
        {
            return null;
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new InvalidOperationException($"Configuration key {(section as IConfigurationSection)?.Path}:{key} must be a time span such as 00:05:00; it is '{value}'.");
    }
}
