using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Primitives;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Answers without <c>state</c>: Wikimedia's Cancel names no sign-in, so each sign-in keeps its protected state in a
/// cookie of its own, from which the answer finds its return URL (docs/security.md, "Cancel without state").
/// </summary>
public partial class WikimediaAuthenticationHandler
{
    /// <summary>
    /// The prefix of the cookies that keep the protected state of each sign-in under way (one per sign-in, so that
    /// sign-ins in several tabs do not overwrite each other), so that a Cancel, which Wikimedia sends back without
    /// <c>state</c>, can still find its return URL and correlation cookie.
    /// </summary>
    private string PendingStatePrefix => Options.CorrelationCookie.Name + Scheme.Name + ".State.";

    /// <summary>The key of the item in which the base handler keeps the correlation id.</summary>
    private const string CorrelationProperty = ".xsrf";

    /// <summary>The most sign-ins whose state is kept for a Cancel at once.</summary>
    private const int MaxPendingSignIns = 3;

    /// <summary>The longest protected state kept for a Cancel: a state with a long return URL is about 1.5 KB.</summary>
    private const int MaxPendingStateLength = 2048;

    private string PendingStateCookie(AuthenticationProperties properties)
        => PendingStatePrefix + (properties.Items.TryGetValue(CorrelationProperty, out var id) && id is { Length: >= 16 } ? id[..16] : "none");

    /// <summary>
    /// Wikimedia's Cancel is <c>error=unauthorized_client</c> without <c>state</c> (docs/protocol.md); the base
    /// handler would call it "The oauth state was missing or invalid." and never reach the access-denied path. The
    /// return URL of the sign-in under way is taken from its cookie instead (<see cref="FindPendingSignIn"/>), so that
    /// the user returns where they started.
    /// </summary>
    private async Task<HandleRequestResult> AnswerWithoutStateAsync(StringValues error, StringValues description, StringValues uri)
    {
        var pending = FindPendingSignIn();
        if (error == "unauthorized_client" || error == "access_denied")
        {
            Log.AuthorizationDeniedWithoutState(Logger, error.ToString());
            var denied = await HandleAccessDeniedErrorAsync(pending);
            return denied.None
                ? HandleRequestResult.Fail(AuthorizationError("Access was denied by the resource owner or by the remote server.", error, description, uri), pending)
                : denied;
        }

        Log.AuthorizationErrorWithoutState(Logger, error.ToString());
        var message = StringValues.IsNullOrEmpty(description)
            ? $"Wikimedia's authorization endpoint returned the error '{error}'."
            : $"Wikimedia's authorization endpoint returned the error '{error}': {description}";
        return HandleRequestResult.Fail(AuthorizationError(message, error, description, uri), pending);
    }

    /// <summary>
    /// Keeps the protected state of this sign-in for a Cancel to find, within bounds: a site that makes a browser start
    /// sign-ins with long return URLs must not grow its Cookie header past what the callback accepts (Kestrel answers
    /// 431, nginx 400). So the cookie is SameSite=Lax (a cross-site subrequest cannot set it; Wikimedia's redirect
    /// back is a top-level GET, which sends it), a state over <see cref="MaxPendingStateLength"/> is not kept (its
    /// Cancel lands without a return URL), and at most <see cref="MaxPendingSignIns"/> are kept at once.
    /// </summary>
    private void KeepPendingSignIn(AuthenticationProperties properties, string state)
    {
        var cookieOptions = Options.CorrelationCookie.Build(Context, TimeProvider.GetUtcNow());
        cookieOptions.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax;
        var others = Request.Cookies.Keys.Where(k => k.StartsWith(PendingStatePrefix, StringComparison.Ordinal)).ToArray();
        if (others.Length >= MaxPendingSignIns)
        {
            // Which is oldest is not known without decrypting them all; they only serve a Cancel's return URL, and
            // their sign-ins go on without them.
            foreach (var other in others)
            {
                Response.Cookies.Delete(other, cookieOptions);
            }
        }

        if (state.Length <= MaxPendingStateLength)
        {
            Response.Cookies.Append(PendingStateCookie(properties), state, cookieOptions);
        }
    }

    /// <summary>
    /// Finds where an answer without <c>state</c> should land. Nothing in it names its sign-in, and the browser may
    /// have several under way (tabs), or have let the right one expire, so it spends nothing: no correlation cookie
    /// is checked off and no other sign-in is disturbed; each goes on or expires by itself. The answer keeps only
    /// the return URL that the sign-ins under way share, if they share one.
    /// </summary>
    private AuthenticationProperties FindPendingSignIn()
    {
        var returnUrls = new HashSet<string?>(StringComparer.Ordinal);
        var count = 0;
        foreach (var (name, value) in Request.Cookies)
        {
            if (!name.StartsWith(PendingStatePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var properties = Options.StateDataFormat.Unprotect(value);
            if (properties is not null && properties.Items.TryGetValue(CorrelationProperty, out var id) && id is not null &&
                Request.Cookies.ContainsKey(Options.CorrelationCookie.Name + id))
            {
                returnUrls.Add(properties.RedirectUri);
                count++;
            }
            else
            {
                // Its sign-in is over (its correlation cookie expired or was spent): only clutter.
                Response.Cookies.Delete(name, Options.CorrelationCookie.Build(Context, TimeProvider.GetUtcNow()));
            }
        }

        if (count > 1)
        {
            Log.AmbiguousAnswerWithoutState(Logger, count);
        }

        return new AuthenticationProperties { RedirectUri = returnUrls.Count == 1 ? returnUrls.Single() : null };
    }

    /// <summary>An authorization error with the <c>Data</c> entries the base handler gives its own.</summary>
    private static AuthenticationFailureException AuthorizationError(string message, StringValues error, StringValues description, StringValues uri)
    {
        var exception = new AuthenticationFailureException(message);
        exception.Data["error"] = error.ToString();
        exception.Data["error_description"] = description.ToString();
        exception.Data["error_uri"] = uri.ToString();
        return exception;
    }
}
