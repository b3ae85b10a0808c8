using System.Net;
using WireMock;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// The browser's way through a 1.39 wiki (test/realwiki/README.md): authorize answers 307 to Special:OAuth/approve;
/// Allow or Cancel is sent 302 back to authorize with <c>approval_pass=1</c> or <c>approval_cancel=1</c>, which
/// answers 302 to the client. The consent page stands in for the login form as well, and a cookie for the wiki's
/// session: it remembers whom the user picked, as being logged in does.
/// </summary>
internal sealed partial class AuthorizeEndpoint
{
    /// <summary>Where WikimediaEmulator serves authorize; approve sends the browser back there.</summary>
    private const string AuthorizePath = "/w/rest.php/oauth2/authorize";

    private const string UserCookie = "wikimediaEmulatorUser";

    /// <summary><c>GET Special:OAuth/approve</c>: the consent page, or with <c>AutoApproveAs</c> straight back to authorize.</summary>
    public ResponseMessage ConsentForm(EmulatorRequest request)
    {
        var (client, _, scopes, failure) = Validate(request.Query);
        if (failure is not null)
        {
            return failure;
        }

        return options.AutoApproveAs is { } username
            ? BackToAuthorize(request, request.Query, AutoApprovedUser(username))
            : Http.Html(HttpStatusCode.OK, ConsentPage.Render(client!, scopes!, options.Users, request.Query));
    }

    private ResponseMessage AuthorizeOnMediaWiki139(EmulatorRequest request, EmulatorClient client, string redirectUri, string[] scopes)
    {
        var query = request.Query;
        if (query.GetValueOrDefault("approval_cancel") == "1")
        {
            return Cancelled(redirectUri);
        }

        // Without a user there is no approval to pass: the wiki would ask again, and so does the emulator.
        if (query.GetValueOrDefault("approval_pass") == "1" && SignedInUser(request) is { } user)
        {
            return Approve(client, redirectUri, scopes, user, query);
        }

        return Http.Redirect(Http.AppendQuery(Http.Origin(request) + DecisionPath, AuthorizeParameters(query)), HttpStatusCode.TemporaryRedirect);
    }

    /// <summary>The 302 back to authorize after the consent page: approval passed for <paramref name="user"/>, or cancelled when null.</summary>
    private static ResponseMessage BackToAuthorize(EmulatorRequest request, IReadOnlyDictionary<string, string> parameters, EmulatorUser? user)
    {
        var query = AuthorizeParameters(parameters);
        query.Add(new(user is null ? "approval_cancel" : "approval_pass", "1"));
        var response = Http.Redirect(Http.AppendQuery(Http.Origin(request) + AuthorizePath, query));
        if (user is not null)
        {
            response.AddHeader("Set-Cookie", $"{UserCookie}={Uri.EscapeDataString(user.Username)}; Path=/w/; HttpOnly; SameSite=Lax");
        }

        return response;
    }

    /// <summary>The authorize request's own parameters, without the consent page's fields and earlier approval markers.</summary>
    private static List<KeyValuePair<string, string>> AuthorizeParameters(IReadOnlyDictionary<string, string> parameters)
        => parameters.Where(p => p.Key is not ("user" or "decision" or "approval_pass" or "approval_cancel")).ToList();

    private EmulatorUser? SignedInUser(EmulatorRequest request)
    {
        foreach (var cookie in (request.Header("Cookie") ?? "").Split(';', StringSplitOptions.TrimEntries))
        {
            if (cookie.StartsWith(UserCookie + "=", StringComparison.Ordinal))
            {
                var username = Uri.UnescapeDataString(cookie[(UserCookie.Length + 1)..]);
                return options.Users.FirstOrDefault(u => u.Username == username);
            }
        }

        return options.AutoApproveAs is { } autoApproved ? AutoApprovedUser(autoApproved) : null;
    }

    private EmulatorUser AutoApprovedUser(string username)
        => options.Users.FirstOrDefault(u => u.Username == username)
            ?? throw new InvalidOperationException($"AutoApproveAs names '{username}', who is not among the emulator's users.");
}
