namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Options of the Wikimedia API client, bound from the <c>WikimediaApi</c> configuration section.
/// </summary>
public class WikimediaApiOptions
{
    /// <summary>The configuration section the options are bound from: <c>WikimediaApi</c>.</summary>
    public const string ConfigurationSection = "WikimediaApi";

    /// <summary>
    /// Gets or sets the base address of the API: a wiki's REST root, such as <c>https://en.wikipedia.org/w/rest.php/</c>
    /// (recommended for new code: Wikimedia has been retiring its API gateway since July 2026, and other MediaWiki
    /// installs have only this), or Wikimedia's API gateway. Default value: <c>https://api.wikimedia.org/</c>, the
    /// gateway, for compatibility.
    /// </summary>
    /// <remarks>
    /// An address whose path ends in the segment <c>rest.php</c> (a trailing slash is optional) is a REST root: the
    /// client calls <c>v1/page/{title}/bare</c> and <c>v1/search/page</c> below it, on that one wiki. Any other
    /// address is the gateway: the client calls <c>core/v1/{project}/{language}/...</c>. See <see cref="IsRestRoot"/>.
    /// The user's access token is sent to this address: point it only at a wiki that accepts the tokens of the
    /// scheme's authority (any Wikimedia wiki for Wikimedia's tokens), over HTTPS.
    /// </remarks>
    public Uri BaseAddress { get; set; } = new("https://api.wikimedia.org/");

    /// <summary>
    /// Gets whether <see cref="BaseAddress"/> is a wiki's REST root rather than the API gateway: whether the last
    /// segment of its path is <c>rest.php</c>, ignoring a trailing slash and case (<c>https://en.wikipedia.org/w/rest.php/</c>,
    /// <c>http://127.0.0.1:8089/w/rest.php</c>, <c>https://wiki.example.org/rest.php/</c>). Not <c>.../rest.php/v1/</c>:
    /// the client adds <c>v1/</c> itself.
    /// </summary>
    public bool IsRestRoot => WikimediaApiRoot.IsRestRoot(BaseAddress);

    /// <summary>
    /// Gets or sets the project that <see cref="WikimediaApiClient.GetPageAsync(string, CancellationToken)"/> and
    /// <see cref="WikimediaApiClient.SearchPagesAsync(string, int, CancellationToken)"/> ask the gateway for, for
    /// example <c>wikipedia</c> or <c>wiktionary</c>. Ignored against a REST root, which serves one wiki.
    /// Default value: <c>wikipedia</c>.
    /// </summary>
    public string Project { get; set; } = "wikipedia";

    /// <summary>
    /// Gets or sets the language code that the same calls ask the gateway for, for example <c>en</c> or <c>de</c>.
    /// Ignored against a REST root. Default value: <c>en</c>.
    /// </summary>
    public string Language { get; set; } = "en";

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
