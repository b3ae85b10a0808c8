namespace WikimediaBlazorApp;

/// <summary>Return URLs are followed only when they stay on this site (RFC 9700 section 4.11, open redirectors).</summary>
public static class LocalUrl
{
    /// <summary>The same rule as <c>IUrlHelper.IsLocalUrl</c>: a path starting with one <c>/</c>, no <c>//</c> or <c>/\</c>.</summary>
    public static bool IsLocal(string? url)
        => !string.IsNullOrEmpty(url) && url[0] == '/' &&
           (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) &&
           !url.Any(char.IsControl);

    public static string OrRoot(string? url) => IsLocal(url) ? url! : "/";
}
