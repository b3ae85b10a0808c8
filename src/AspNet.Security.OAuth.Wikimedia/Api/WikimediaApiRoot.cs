namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Tells a wiki's REST root from Wikimedia's API gateway, in one place, so that the options and the client never
/// disagree on which routes a base address gets.
/// </summary>
internal static class WikimediaApiRoot
{
    private const string RestEntryPoint = "rest.php";

    /// <summary>
    /// Whether the base is a wiki's REST root: the last segment of its path is <c>rest.php</c>, with or without a
    /// trailing slash (<c>https://en.wikipedia.org/w/rest.php/</c>, <c>https://wiki.example.org/rest.php</c>).
    /// Anything else, <c>https://api.wikimedia.org/</c> included, is taken for the gateway.
    /// </summary>
    /// <remarks>
    /// MediaWiki's REST entry point is that file on every install (docs/protocol.md section 7), wherever the wiki
    /// lives; the gateway's routes begin with <c>core/</c> instead. A whole segment is compared so that a path such
    /// as <c>/notrest.php/</c> is not mistaken for one; the case is ignored because the operator types it.
    /// </remarks>
    public static bool IsRestRoot(Uri baseAddress)
    {
        if (!baseAddress.IsAbsoluteUri)
        {
            return false;
        }

        var path = baseAddress.AbsolutePath.TrimEnd('/');
        var last = path[(path.LastIndexOf('/') + 1)..];
        return string.Equals(last, RestEntryPoint, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The base with a trailing slash: without it a relative route replaces the last segment
    /// (<c>.../w/rest.php</c> + <c>v1/page</c> would be <c>.../w/v1/page</c>) instead of going below it.
    /// </summary>
    public static Uri WithTrailingSlash(Uri baseAddress)
        => !baseAddress.IsAbsoluteUri || baseAddress.AbsolutePath.EndsWith('/')
            ? baseAddress
            : new Uri(baseAddress.GetLeftPart(UriPartial.Path) + "/");
}
