namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Options of the Wikimedia API client, bound from the <c>WikimediaApi</c> configuration section.
/// </summary>
public class WikimediaApiOptions
{
    /// <summary>The configuration section the options are bound from: <c>WikimediaApi</c>.</summary>
    public const string ConfigurationSection = "WikimediaApi";

    /// <summary>
    /// Gets or sets the base address of the API. Default value: <c>https://api.wikimedia.org/</c> (the API gateway;
    /// Wikimedia now recommends per-wiki URLs such as <c>https://en.wikipedia.org/w/rest.php/</c> for new code).
    /// </summary>
    public Uri BaseAddress { get; set; } = new("https://api.wikimedia.org/");

    /// <summary>
    /// Gets or sets the Wikimedia authentication scheme whose user token, User-Agent and profile endpoint are used.
    /// Default value: <c>Wikimedia</c>.
    /// </summary>
    public string AuthenticationScheme { get; set; } = WikimediaAuthenticationDefaults.AuthenticationScheme;

    /// <summary>
    /// Gets or sets the User-Agent of API requests; null (the default) uses the scheme's
    /// <see cref="WikimediaAuthenticationOptions.UserAgent"/>.
    /// </summary>
    public string? UserAgent { get; set; }

    /// <summary>Gets or sets the time-out of one API request. Default value: 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
