using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;

/// <summary>
/// A person at the real wiki, over HTTP: follows redirects, logs in on Special:UserLogin when asked, and answers the
/// consent form (Special:OAuth/approve) with Allow or Cancel, as a browser would, until the wiki sends it back to
/// the app.
/// </summary>
public sealed class WikiBrowser(RealWiki wiki) : IDisposable
{
    public TestBrowser Browser { get; } = new();

    /// <summary>Whether the last journey showed the consent form (identity-only consumers skip it once allowed).</summary>
    public bool SawConsent { get; private set; }

    public async Task<HttpResponseMessage> SignInAsync(Uri app, WikiAccount account, string returnUrl = "/me", bool allow = true)
        => await ThroughWikiAsync(await Browser.FollowAsync(new Uri(app, "/signin?returnUrl=" + Uri.EscapeDataString(returnUrl))), account, allow);

    /// <summary>Answers whatever the wiki asks (login, consent) until the browser is back outside the wiki.</summary>
    public async Task<HttpResponseMessage> ThroughWikiAsync(HttpResponseMessage response, WikiAccount account, bool allow = true)
    {
        SawConsent = false;
        for (var step = 0; step < 6 && IsWiki(response); step++)
        {
            var page = await ParseAsync(response);
            if (page.QuerySelector("form[name=userlogin]") is IHtmlFormElement login)
            {
                response = await SubmitAsync(response, login, "wploginattempt", new() { ["wpName"] = account.User, ["wpPassword"] = account.Password });
            }
            else if (page.QuerySelector("#mw-mwoauth-authorize-form") is IHtmlFormElement consent)
            {
                SawConsent = true;
                response = await SubmitAsync(response, consent, allow ? "accept" : "cancel", []);
            }
            else
            {
                return response;
            }
        }

        return response;
    }

    /// <summary>Logs in to the wiki itself (for its own special pages).</summary>
    public async Task LogInAsync(WikiAccount account)
    {
        var response = await Browser.FollowAsync(new Uri(wiki.BaseAddress, "w/index.php?title=Special:UserLogin"));
        var form = (IHtmlFormElement)(await ParseAsync(response)).QuerySelector("form[name=userlogin]")!;
        using var done = await SubmitAsync(response, form, "wploginattempt", new() { ["wpName"] = account.User, ["wpPassword"] = account.Password });
    }

    /// <summary>
    /// Revokes, as the logged-in user, every grant listed on Special:OAuthManageMyGrants: what a user does to cut an
    /// app off. Returns how many were revoked.
    /// </summary>
    public async Task<int> RevokeAllGrantsAsync()
    {
        var list = await Browser.FollowAsync(new Uri(wiki.BaseAddress, "w/index.php?title=Special:OAuthManageMyGrants"));
        var links = (await ParseAsync(list)).QuerySelectorAll("a[href*='OAuthManageMyGrants/revoke/']")
            .Select(a => new Uri(list.RequestMessage!.RequestUri!, a.GetAttribute("href")))
            .Distinct()
            .ToArray();
        foreach (var link in links)
        {
            var page = await Browser.FollowAsync(link);
            var form = (await ParseAsync(page)).QuerySelectorAll("form").OfType<IHtmlFormElement>()
                .Single(f => f.QuerySelector("[name=renounce]") is not null);
            using var done = await SubmitAsync(page, form, "renounce", []);
            if (!done.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Revoking at {link} answered {(int)done.StatusCode}.");
            }
        }

        return links.Length;
    }

    public void Dispose() => Browser.Dispose();

    private bool IsWiki(HttpResponseMessage response) => response.RequestMessage!.RequestUri!.Port == wiki.BaseAddress.Port;

    private static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response)
        => new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());

    /// <summary>Submits <paramref name="form"/> as a browser does: its fields, the values typed in, and the button clicked.</summary>
    private async Task<HttpResponseMessage> SubmitAsync(HttpResponseMessage page, IHtmlFormElement form, string button, Dictionary<string, string> typed)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll("input[name]").OfType<IHtmlInputElement>())
        {
            if (input.Type is "submit" or "button" or "image" || (input.Type is "checkbox" or "radio" && !input.IsChecked))
            {
                continue;
            }

            fields.Add(new(input.Name!, typed.TryGetValue(input.Name!, out var value) ? value : input.Value));
        }

        var clicked = form.QuerySelector($"[name='{button}']") ?? throw new InvalidOperationException($"No button '{button}' in the form.");
        fields.Add(new(button, clicked.GetAttribute("value") ?? ""));
        var action = new Uri(page.RequestMessage!.RequestUri!, form.GetAttribute("action") ?? "");
        var response = await Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) });
        return await Browser.FollowRedirectsAsync(response);
    }
}
