namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Default values used by the Wikimedia authentication handler.
/// </summary>
public static class WikimediaAuthenticationDefaults
{
    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.AuthenticationScheme.Name"/>: <c>Wikimedia</c>.
    /// </summary>
    public const string AuthenticationScheme = "Wikimedia";

    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.AuthenticationScheme.DisplayName"/>: <c>Wikimedia</c>.
    /// </summary>
    public static readonly string DisplayName = "Wikimedia";

    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions.ClaimsIssuer"/>.
    /// </summary>
    public static readonly string Issuer = "Wikimedia";

    /// <summary>
    /// Default value for <see cref="Microsoft.AspNetCore.Authentication.RemoteAuthenticationOptions.CallbackPath"/>: <c>/signin-wikimedia</c>.
    /// </summary>
    public static readonly string CallbackPath = "/signin-wikimedia";

    /// <summary>
    /// Default value for <see cref="WikimediaAuthenticationOptions.Authority"/>: the REST root of Meta-Wiki,
    /// where Wikimedia's central OAuth consumers are registered and served.
    /// </summary>
    public static readonly string Authority = "https://meta.wikimedia.org/w/rest.php";

    /// <summary>
    /// Default value for the authorization endpoint: <c>{Authority}/oauth2/authorize</c> on Meta-Wiki.
    /// </summary>
    public static readonly string AuthorizationEndpoint = Authority + WikimediaAuthenticationConstants.Paths.Authorize;

    /// <summary>
    /// Default value for the token endpoint: <c>{Authority}/oauth2/access_token</c> on Meta-Wiki.
    /// </summary>
    public static readonly string TokenEndpoint = Authority + WikimediaAuthenticationConstants.Paths.AccessToken;

    /// <summary>
    /// Default value for the user information endpoint: <c>{Authority}/oauth2/resource/profile</c> on Meta-Wiki.
    /// </summary>
    public static readonly string UserInformationEndpoint = Authority + WikimediaAuthenticationConstants.Paths.Profile;

    /// <summary>
    /// Default value for <see cref="WikimediaAuthenticationOptions.RefreshBeforeExpiration"/>: five minutes.
    /// </summary>
    public static readonly TimeSpan RefreshBeforeExpiration = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.ActivitySource"/> and of the <see cref="System.Diagnostics.Metrics.Meter"/>
    /// on which the handler traces sign-ins, token requests, refreshes and API calls, and counts refreshes:
    /// <c>AspNet.Security.OAuth.Wikimedia</c>. Add it to OpenTelemetry with <c>AddSource</c> and <c>AddMeter</c>.
    /// </summary>
    public const string TelemetryName = "AspNet.Security.OAuth.Wikimedia";

    /// <summary>
    /// The name of the <see cref="System.Net.Http.IHttpClientFactory"/> client whose handlers carry the backchannel
    /// requests of <paramref name="scheme"/> (token and profile endpoints): add resilience or telemetry to it with
    /// <c>services.AddHttpClient(WikimediaAuthenticationDefaults.BackchannelHttpClientName("Wikimedia"))</c>.
    /// </summary>
    /// <param name="scheme">The authentication scheme.</param>
    /// <returns><c>AspNet.Security.OAuth.Wikimedia.Backchannel.{scheme}</c>.</returns>
    public static string BackchannelHttpClientName(string scheme)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        return TelemetryName + ".Backchannel." + scheme;
    }
}
