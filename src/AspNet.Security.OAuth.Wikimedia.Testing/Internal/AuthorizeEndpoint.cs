using System.Net;
using System.Text.RegularExpressions;
using WireMock;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// <c>GET /oauth2/authorize</c> and the consent page's decision, with the checks and answers of docs/protocol.md
/// sections 2 and 3: HTML error pages where the server has no safe place to redirect, and the Cancel quirk.
/// The way through a 1.39 wiki's pages is in AuthorizeEndpoint.Approval.cs.
/// </summary>
internal sealed partial class AuthorizeEndpoint(WikimediaEmulatorOptions options, GrantStore store)
{
    /// <summary>Special:OAuth/approve: the consent page (GET; a 1.39 wiki sends the browser there) and where it posts its decision.</summary>
    public const string DecisionPath = "/w/index.php/Special:OAuth/approve";

    private static readonly HashSet<string> KnownGrants = new(StringComparer.Ordinal)
    {
        "mwoauth-authonly", "mwoauth-authonlyprivate", "basic", "highvolume", "import", "editpage", "editprotected",
        "editmycssjs", "editmyoptions", "editinterface", "editsiteconfig", "createeditmovepage", "uploadfile",
        "uploadeditmovefile", "patrol", "rollback", "blockusers", "viewdeleted", "viewrestrictedlogs", "delete",
        "oversight", "protect", "viewmywatchlist", "editmywatchlist", "sendemail", "createaccount", "privateinfo",
        "mergehistory",
    };

    public ResponseMessage Authorize(EmulatorRequest request)
    {
        var (client, redirectUri, scopes, failure) = Validate(request.Query);
        if (failure is not null)
        {
            return failure;
        }

        if (options.IsMediaWiki())
        {
            return AuthorizeOnMediaWiki139(request, client!, redirectUri!, scopes!);
        }

        if (options.AutoApproveAs is { } username)
        {
            return Approve(client!, redirectUri!, scopes!, AutoApprovedUser(username), request.Query);
        }

        return Http.Html(HttpStatusCode.OK, ConsentPage.Render(client!, scopes!, options.Users, request.Query));
    }

    public ResponseMessage Decide(EmulatorRequest request)
    {
        var (client, redirectUri, scopes, failure) = Validate(request.Form);
        if (failure is not null)
        {
            return failure;
        }

        var allow = request.Form.GetValueOrDefault("decision") == "allow";
        var user = allow ? options.Users.FirstOrDefault(u => u.Username == request.Form.GetValueOrDefault("user")) : null;
        if (allow && user is null)
        {
            return Http.Html(HttpStatusCode.BadRequest, ErrorPage("No such user."));
        }

        if (options.IsMediaWiki())
        {
            return BackToAuthorize(request, request.Form, user);
        }

        return user is null ? Cancelled(redirectUri!) : Approve(client!, redirectUri!, scopes!, user, request.Form);
    }

    /// <summary>The quirk: error=unauthorized_client and NO state (docs/protocol.md section 3).</summary>
    private ResponseMessage Cancelled(string redirectUri)
        => Http.Redirect(Http.AppendQuery(redirectUri, OAuthErrors.Query(options,
        [
            new("error", "unauthorized_client"),
            new("error_description", "User has rejected the request from client application"),
        ])));

    private ResponseMessage Approve(EmulatorClient client, string redirectUri, string[] scopes, EmulatorUser user, IReadOnlyDictionary<string, string> parameters)
    {
        var challenge = parameters.GetValueOrDefault("code_challenge");
        var method = challenge is null ? null : parameters.GetValueOrDefault("code_challenge_method") ?? "plain";
        var code = store.IssueCode(client, redirectUri, challenge, method, user, scopes);
        var query = new List<KeyValuePair<string, string>> { new("code", code) };
        if (parameters.GetValueOrDefault("state") is { } state)
        {
            query.Add(new("state", state));
        }

        return Http.Redirect(Http.AppendQuery(redirectUri, query));
    }

    private (EmulatorClient? Client, string? RedirectUri, string[]? Scopes, ResponseMessage? Failure) Validate(IReadOnlyDictionary<string, string> parameters)
    {
        var clientId = parameters.GetValueOrDefault("client_id") ?? "";
        if (parameters.GetValueOrDefault("response_type") != "code" || !ClientIdFormat().IsMatch(clientId))
        {
            return Fail(HttpStatusCode.BadRequest, "The authorization grant type is not supported by the authorization server, or the client_id is malformed.");
        }

        var client = options.Clients.FirstOrDefault(c => c.ClientId == clientId);
        if (client is null)
        {
            return Fail(HttpStatusCode.Unauthorized, "Client authentication failed: unknown consumer.");
        }

        var redirectUri = parameters.GetValueOrDefault("redirect_uri") ?? client.RedirectUris.FirstOrDefault();
        if (redirectUri is null || !client.RedirectUris.Any(registered => RedirectUriMatches(registered, redirectUri)))
        {
            return Fail(HttpStatusCode.Unauthorized, "Client authentication failed: the redirect_uri is not the registered callback.");
        }

        var challenge = parameters.GetValueOrDefault("code_challenge");
        if (challenge is null && !client.IsConfidential)
        {
            return Fail(HttpStatusCode.BadRequest, "Public consumers must use PKCE: code_challenge is required.");
        }

        var method = parameters.GetValueOrDefault("code_challenge_method");
        if (challenge is not null && (!ChallengeFormat().IsMatch(challenge) || method is not (null or "S256" or "plain")))
        {
            return Fail(HttpStatusCode.BadRequest, "Code challenge must follow the specifications of RFC-7636.");
        }

        var requested = (parameters.GetValueOrDefault("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var unknown = requested.FirstOrDefault(s => !KnownGrants.Contains(s));
        if (unknown is not null)
        {
            var query = new List<KeyValuePair<string, string>>();
            if (parameters.GetValueOrDefault("state") is { } state)
            {
                query.Add(new("state", state));
            }

            query.Add(new("error", "invalid_scope"));
            query.Add(new("error_description", "The requested scope is invalid, unknown, or malformed"));
            query.Add(new("hint", $"Check the `{unknown}` scope"));
            return (null, null, null, Http.Redirect(Http.AppendQuery(redirectUri, OAuthErrors.Query(options, query))));
        }

        // Empty scope: every registered grant. A known grant the consumer did not register is dropped.
        var scopes = requested.Length == 0 ? client.Grants.ToArray() : requested.Where(client.Grants.Contains).Distinct().ToArray();
        return (client, redirectUri, scopes, null);
    }

    /// <summary>Byte-equal, except that loopback IP callbacks over http ignore the port (docs/protocol.md section 2).</summary>
    internal static bool RedirectUriMatches(string registered, string candidate)
    {
        if (string.Equals(registered, candidate, StringComparison.Ordinal))
        {
            return true;
        }

        if (!Uri.TryCreate(registered, UriKind.Absolute, out var r) || !Uri.TryCreate(candidate, UriKind.Absolute, out var c))
        {
            return false;
        }

        var loopbackIp = r.Scheme == Uri.UriSchemeHttp && r.Host is "127.0.0.1" or "[::1]";
        return loopbackIp && c.Scheme == r.Scheme && c.Host == r.Host &&
               string.Equals(c.PathAndQuery, r.PathAndQuery, StringComparison.Ordinal);
    }

    /// <summary>An error page of the wiki; 1.39 serves its "Application Connection Error" page with HTTP 200 (test/realwiki/README.md).</summary>
    private (EmulatorClient?, string?, string[]?, ResponseMessage?) Fail(HttpStatusCode status, string message)
        => (null, null, null, Http.Html(options.Server == EmulatedServer.MediaWiki139 ? HttpStatusCode.OK : status, ErrorPage(message)));

    private static string ErrorPage(string message)
        => $"<!DOCTYPE html><html><head><title>Error - Meta-Wiki</title></head><body><h1>Error</h1><p class=\"error\">{WebUtility.HtmlEncode(message)}</p></body></html>";

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex ClientIdFormat();

    [GeneratedRegex("^[A-Za-z0-9-._~]{43,128}$")]
    private static partial Regex ChallengeFormat();
}
