using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sample;

/// <summary>The sample's "Edit my sandbox" page against its built-in emulator, over a real socket.</summary>
public sealed class SandboxPageTests : IDisposable
{
    private const string Sandbox = "User:Example User/sandbox";
    private readonly SampleApp _app = new();
    private readonly TestBrowser _browser = new();

    public void Dispose()
    {
        _browser.Dispose();
        _app.Dispose();
    }

    private Uri At(string path) => new(_app.BaseAddress, path);

    private static async Task<IHtmlDocument> Html(HttpResponseMessage response)
        => new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());

    private async Task<IHtmlDocument> SignedInSandboxAsync()
    {
        using var landed = await _browser.ConsentAsync(await _browser.FollowAsync(At("/signin?returnUrl=%2Fsandbox")));
        Assert.Equal("/sandbox", landed.RequestMessage!.RequestUri!.AbsolutePath);
        return await Html(landed);
    }

    /// <summary>Submits the sandbox form as a browser does: its hidden fields (the antiforgery token among them), the text and the comment.</summary>
    private async Task<HttpResponseMessage> SaveAsync(IHtmlDocument page, string text, string comment, Func<string, string, bool>? keep = null)
    {
        var fields = page.QuerySelectorAll("#sandbox-form input[type=hidden]").OfType<IHtmlInputElement>()
            .Where(i => keep?.Invoke(i.Name!, i.Value) ?? true)
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .Append(new("Source", text))
            .Append(new("Comment", comment));
        var response = await _browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, At("/sandbox")) { Content = new FormUrlEncodedContent(fields) });
        return await _browser.FollowRedirectsAsync(response);
    }

    [Fact]
    public async Task The_sandbox_requires_sign_in_and_comes_back_to_it()
    {
        using var anonymous = await _browser.GetAsync(At("/sandbox"));

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Equal("/signin", anonymous.Headers.Location!.AbsolutePath);
        var page = await SignedInSandboxAsync();
        Assert.Equal(Sandbox, page.QuerySelector("#sandbox-title")!.TextContent);
        Assert.Equal("", ((IHtmlTextAreaElement)page.QuerySelector("#sandbox-source")!).Value);
        Assert.Equal("Edit my sandbox", page.QuerySelector("#nav-sandbox")!.TextContent);
    }

    [Fact]
    public async Task Saving_creates_the_sandbox_as_the_user_then_shows_the_text_and_the_revision()
    {
        var page = await SignedInSandboxAsync();

        using var saved = await SaveAsync(page, "Hello from the sample", "my first edit");
        var after = await Html(saved);

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("/sandbox", saved.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("Hello from the sample", ((IHtmlTextAreaElement)after.QuerySelector("#sandbox-source")!).Value);
        var revision = Assert.Single(_app.Emulator.PageHistory(Sandbox));
        Assert.Equal(revision.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), after.QuerySelector("#saved-revision")!.TextContent);
        Assert.Equal(("Example User", "my first edit", "OAuth CID: 1"), (revision.User, revision.Comment, Assert.Single(revision.Tags)));
    }

    [Fact]
    public async Task A_form_opened_before_another_save_is_a_conflict_that_keeps_the_users_text_and_shows_theirs()
    {
        var page = await SignedInSandboxAsync();
        using var first = await SaveAsync(page, "One", "c1");
        var stale = await Html(first);
        using var second = await SaveAsync(stale, "Two", "c2");

        using var conflict = await SaveAsync(stale, "Mine", "c3");
        var shown = await Html(conflict);

        Assert.Equal(HttpStatusCode.OK, conflict.StatusCode);
        Assert.Contains("Someone saved your sandbox after you opened it", shown.QuerySelector("#sandbox-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Mine", ((IHtmlTextAreaElement)shown.QuerySelector("#sandbox-source")!).Value);
        Assert.Equal("Two", shown.QuerySelector("#sandbox-theirs")!.TextContent);
        // Based on the latest revision now: saving again merges.
        using var merged = await SaveAsync(shown, "Two and mine", "merged");
        Assert.Equal("merged", _app.Emulator.PageHistory(Sandbox)[0].Comment);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_saves_nothing_and_says_the_form_expired()
    {
        var page = await SignedInSandboxAsync();

        using var refused = await SaveAsync(page, "Forged", "c", keep: (name, _) => name != "__RequestVerificationToken");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("This form has expired", (await Html(refused)).QuerySelector("#sandbox-error")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(_app.Emulator.PageHistory(Sandbox));
    }

    [Theory]
    [InlineData("protected", "This page is protected")]
    [InlineData("ratelimit", "You are editing faster than the wiki allows. Please wait 30 seconds")]
    [InlineData("grant", "does not let this app edit for you")]
    [InlineData("expired", "Your Wikimedia sign-in has expired")]
    public async Task Each_refusal_of_the_wiki_is_a_friendly_message_and_never_an_error_page(string refusal, string message)
    {
        var page = await SignedInSandboxAsync();
        var (status, body) = refusal switch
        {
            "protected" => (HttpStatusCode.Forbidden, """{"messageTranslations":{"en":"This page has been protected to prevent editing or other actions."},"httpCode":403,"httpReason":"Forbidden"}"""),
            "ratelimit" => ((HttpStatusCode)429, """{"messageTranslations":{"en":"As an anti-abuse measure, ..."},"httpCode":429,"httpReason":"Too Many Requests"}"""),
            "grant" => (HttpStatusCode.BadRequest, """{"actionModuleErrorCode":"permissiondenied","messageTranslations":{"en":"The action you have requested is limited"},"httpCode":400,"httpReason":"Bad Request"}"""),
            _ => (HttpStatusCode.Unauthorized, """{"httpCode":401,"httpReason":"Jwt is expired"}"""),
        };
        var fault = new EmulatorFault { StatusCode = status, Body = body, When = r => r.Method == "PUT" };
        if (refusal == "ratelimit")
        {
            fault.Headers["Retry-After"] = "30";
        }

        _app.Emulator.Faults.Add(EmulatorEndpoint.Api, fault);

        using var refused = await SaveAsync(page, "Text", "c");
        var shown = await Html(refused);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains(message, shown.QuerySelector("#sandbox-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Text", ((IHtmlTextAreaElement)shown.QuerySelector("#sandbox-source")!).Value);
        Assert.Equal(refusal == "expired", shown.QuerySelector("#sandbox-signin")?.GetAttribute("href") == "/signin?returnUrl=%2Fsandbox");
        Assert.Empty(_app.Emulator.PageHistory(Sandbox));
    }
}
