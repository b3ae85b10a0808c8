using System.Reflection;
using System.Text.RegularExpressions;

namespace AspNet.Security.OAuth.Wikimedia.Protocol;

/// <summary>
/// Wikimedia's User-Agent policy (docs/protocol.md section 7): every request carries
/// <c>&lt;client&gt;/&lt;version&gt; (&lt;contact&gt;) &lt;library&gt;/&lt;version&gt;</c>; generic agents get 403 or 429.
/// </summary>
internal static partial class UserAgentPolicy
{
    /// <summary>The policy's own page, quoted in the start-up warning.</summary>
    public const string PolicyUrl = "https://foundation.wikimedia.org/wiki/Policy:Wikimedia_Foundation_User-Agent_Policy";

    private static readonly string[] WikimediaDomains =
    [
        "wikimedia.org", "wikipedia.org", "wikidata.org", "wiktionary.org", "wikibooks.org", "wikinews.org",
        "wikiquote.org", "wikisource.org", "wikiversity.org", "wikivoyage.org", "mediawiki.org", "wikifunctions.org",
    ];

    /// <summary>This library's token: <c>AspNet.Security.OAuth.Wikimedia/{version}</c>.</summary>
    public static string LibraryToken { get; } = "AspNet.Security.OAuth.Wikimedia/" + VersionOf(typeof(UserAgentPolicy).Assembly);

    /// <summary><c>{entry assembly}/{version} AspNet.Security.OAuth.Wikimedia/{version}</c>.</summary>
    public static string CreateDefault(string? applicationName)
    {
        var entry = Assembly.GetEntryAssembly();
        var name = Sanitize(applicationName ?? entry?.GetName().Name ?? "AspNetCoreApp");
        return $"{name}/{(entry is null ? "1.0" : VersionOf(entry))} {LibraryToken}";
    }

    /// <summary>Whether the agent names a contact: a URL or an e-mail address.</summary>
    public static bool HasContact(string? userAgent) => userAgent is not null && ContactPattern().IsMatch(userAgent);

    /// <summary>Whether <paramref name="authority"/> is a wiki run by the Wikimedia Foundation.</summary>
    public static bool IsWikimediaHost(string? authority)
        => Uri.TryCreate(authority, UriKind.Absolute, out var uri) &&
           WikimediaDomains.Any(d => uri.Host.Equals(d, StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith("." + d, StringComparison.OrdinalIgnoreCase));

    private static string VersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // Drop the "+commit" suffix the SDK appends: it says nothing to Wikimedia's operators.
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "1.0";
    }

    private static string Sanitize(string name) => TokenUnsafe().Replace(name, "-");

    [GeneratedRegex(@"https?://\S+|[^\s@()]+@[^\s@()]+\.[^\s@()]+", RegexOptions.IgnoreCase)]
    private static partial Regex ContactPattern();

    [GeneratedRegex(@"[^A-Za-z0-9!#$%&'*+.^_`|~-]")]
    private static partial Regex TokenUnsafe();
}
