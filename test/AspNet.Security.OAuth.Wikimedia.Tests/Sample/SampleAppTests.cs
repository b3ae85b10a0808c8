using System.Globalization;
using System.Net;
using System.Reflection;
using AngleSharp.Html.Parser;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using WikimediaSample;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sample;

public sealed class SampleAppTests : IDisposable
{
    private static readonly EmulatorPage Earth = new WikimediaEmulatorOptions().Pages.Single(p => p.Title == "Earth");
    private readonly SampleApp _app = new();
    private readonly TestBrowser _browser = new();

    public void Dispose()
    {
        _browser.Dispose();
        _app.Dispose();
    }

    private Uri At(string path) => new(_app.BaseAddress, path);

    private static async Task<AngleSharp.Html.Dom.IHtmlDocument> Html(HttpResponseMessage response)
        => new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());

    private async Task<HttpResponseMessage> SignInAsync(string user = "Example User")
    {
        var consent = await _browser.FollowAsync(At("/signin?returnUrl=%2F"));
        return await _browser.ConsentAsync(consent, user);
    }

    [Fact]
    public async Task The_anonymous_home_page_shows_the_emulator_banner_and_the_sign_in_button()
    {
        using var home = await _browser.GetAsync(At("/"));
        var page = await Html(home);

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("built-in Wikimedia emulator", page.QuerySelector("#emulator-banner")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Sign in with Wikimedia", page.QuerySelector("#signin")!.TextContent);
        Assert.Contains(_app.Logs.GetSnapshot(), l => l.Message.Contains("signing in against the built-in Wikimedia emulator", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sign_in_on_the_consent_page_shows_the_user_on_home_and_profile()
    {
        using var home = await SignInAsync("Alice Admin");

        Assert.Equal("/", home.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("Alice Admin", (await Html(home)).QuerySelector("#username")!.TextContent);

        using var profile = await _browser.GetAsync(At("/profile"));
        var page = await Html(profile);
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        Assert.Equal("23456789", page.QuerySelector("#user-id")!.TextContent);
        Assert.Equal("15023", page.QuerySelector("#edit-count")!.TextContent);
        Assert.Equal("user, autoconfirmed, sysop", page.QuerySelector("#groups")!.TextContent);
        Assert.Equal("basic, mwoauth-authonlyprivate, editpage, createeditmovepage", page.QuerySelector("#grants")!.TextContent);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", page.QuerySelector("#token-expires")!.TextContent);
        Assert.DoesNotContain("eyJ", await profile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_session_cookie_is_httponly_secure_and_samesite()
    {
        var callback = await _browser.AllowWithoutReturningAsync(_app.BaseAddress);
        using var signedIn = await _browser.GetAsync(callback);

        var session = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-wikimedia-sample", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", session, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cancel_on_the_consent_page_returns_to_a_friendly_page()
    {
        var consent = await _browser.FollowAsync(At("/signin?returnUrl=%2Fprofile"));
        using var landed = await _browser.ConsentAsync(consent, allow: false);

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("/signin-cancelled", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var page = await Html(landed);
        Assert.Contains("You cancelled the sign-in", page.QuerySelector("#cancelled")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("/signin?returnUrl=%2Fprofile", page.QuerySelector("a.button")!.GetAttribute("href"));
    }

    [Fact]
    public async Task A_failing_wikimedia_ends_on_a_friendly_failure_page()
    {
        _app.Emulator.Faults.Add(AspNet.Security.OAuth.Wikimedia.Testing.EmulatorEndpoint.Token,
            AspNet.Security.OAuth.Wikimedia.Testing.EmulatorFault.HtmlError(HttpStatusCode.ServiceUnavailable));

        using var landed = await SignInAsync();

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("/signin-failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("could not complete the sign-in", (await Html(landed)).QuerySelector("#failed")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(_app.Logs.GetSnapshot(), l => l.Message.Contains("answered HTTP 503", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/profile")]
    [InlineData("/article?title=Earth")]
    public async Task Pages_of_the_signed_in_user_require_sign_in(string path)
    {
        using var response = await _browser.GetAsync(At(path));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public void The_samples_user_agent_names_the_version_of_this_build_for_the_sample_and_the_library()
    {
        // One version, in Directory.Build.props: neither the sample's settings nor its code repeat it.
        var version = typeof(WikimediaAuthenticationHandler).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

        Assert.Equal(
            $"AspNet.Security.OAuth.Wikimedia.Sample/{version} (https://github.com/aspnet-security-oauth-wikimedia/AspNet.Security.OAuth.Wikimedia) AspNet.Security.OAuth.Wikimedia/{version}",
            SampleUserAgent.Value);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }

    [Fact]
    public async Task The_article_page_shows_page_metadata_fetched_with_the_users_token()
    {
        using var home = await SignInAsync();

        using var article = await _browser.GetAsync(At("/article?title=Earth"));
        var page = await Html(article);

        Assert.Equal(HttpStatusCode.OK, article.StatusCode);
        Assert.Equal("Earth", page.QuerySelector("#article-title")!.TextContent);
        Assert.Equal("9228", page.QuerySelector("#page-id")!.TextContent);
        Assert.Equal("1262236514", page.QuerySelector("#revision-id")!.TextContent);
        Assert.Equal(Earth.LatestRevisionTimestamp.ToString("u", CultureInfo.InvariantCulture), page.QuerySelector("#revision-time")!.TextContent);
        Assert.Equal("Creative Commons Attribution-Share Alike 4.0", page.QuerySelector("#license")!.TextContent);
        var call = _app.Emulator.Requests.Single(r => r.Path == "/core/v1/wikipedia/en/page/Earth/bare");
        Assert.StartsWith("Bearer eyJ", call.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(SampleUserAgent.Value, call.Header("User-Agent"));
    }

    [Fact]
    public async Task With_a_rest_root_configured_the_article_page_calls_the_emulators_rest_root()
    {
        using var app = new SampleApp(b => b.UseSetting("WikimediaApi:BaseAddress", "https://en.wikipedia.org/w/rest.php/"));
        using var browser = new TestBrowser();
        await browser.ConsentAsync(await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2F")));

        using var article = await browser.GetAsync(new Uri(app.BaseAddress, "/article?title=AC%2FDC"));
        var page = await Html(article);

        Assert.Equal("AC/DC", page.QuerySelector("#article-title")!.TextContent);
        Assert.Equal("18944", page.QuerySelector("#page-id")!.TextContent);
        var call = Assert.Single(app.Emulator.Requests, r => r.Path.Contains("/bare", StringComparison.Ordinal));
        Assert.Equal("/w/rest.php/v1/page/AC%2FDC/bare", call.Path);
        Assert.StartsWith("Bearer eyJ", call.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(SampleUserAgent.Value, call.Header("User-Agent"));
    }

    [Fact]
    public async Task With_a_consumer_configured_only_the_base_address_sends_the_article_page_to_a_wikis_rest_root()
    {
        // A wiki of its own, as a deployment would configure it: no built-in emulator, the keys name everything.
        using var wiki = WikimediaEmulator.Start();
        var root = wiki.BaseAddress + "w/rest.php";
        using var app = new SampleApp(b => b
            .UseSetting("Authentication:Schemes:Wikimedia:ClientId", WikimediaEmulatorOptions.DefaultClientId)
            .UseSetting("Authentication:Schemes:Wikimedia:ClientSecret", WikimediaEmulatorOptions.DefaultClientSecret)
            .UseSetting("Authentication:Schemes:Wikimedia:Authority", wiki.Authority)
            .UseSetting("WikimediaApi:BaseAddress", root));
        Assert.Null(app.Services.GetService<WikimediaEmulator>());
        wiki.Client().RedirectUris.Add(new Uri(app.BaseAddress, "/signin-wikimedia").ToString());
        using var browser = new TestBrowser();
        await browser.ConsentAsync(await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2F")));

        using var article = await browser.GetAsync(new Uri(app.BaseAddress, "/article?title=Earth"));

        Assert.Equal("9228", (await Html(article)).QuerySelector("#page-id")!.TextContent);
        Assert.Equal(root + "/v1/page/Earth/bare", wiki.BaseAddress.GetLeftPart(UriPartial.Authority) + Assert.Single(wiki.Requests, r => r.Path.EndsWith("/bare", StringComparison.Ordinal)).Path);
    }

    [Fact]
    public async Task The_profile_shows_when_the_token_was_refreshed()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var signedInAt = time.GetUtcNow();
        using var app = new SampleApp(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)));
        using var browser = new TestBrowser();
        var consent = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fprofile"));
        var before = await Html(await browser.ConsentAsync(consent));
        Assert.Equal((signedInAt + TimeSpan.FromHours(4)).ToString("u", CultureInfo.InvariantCulture), before.QuerySelector("#token-expires")!.TextContent);
        Assert.Equal(signedInAt.ToString("u", CultureInfo.InvariantCulture), before.QuerySelector("#token-issued")!.TextContent);

        time.Advance(TimeSpan.FromHours(4));
        using var profile = await browser.GetAsync(new Uri(app.BaseAddress, "/profile"));
        var after = await Html(profile);

        Assert.Equal((signedInAt + TimeSpan.FromHours(8)).ToString("u", CultureInfo.InvariantCulture), after.QuerySelector("#token-expires")!.TextContent);
        Assert.Equal((signedInAt + TimeSpan.FromHours(4)).ToString("u", CultureInfo.InvariantCulture), after.QuerySelector("#token-issued")!.TextContent);
        Assert.Single(app.Emulator.Requests, r => r.IsRefresh);
    }
}
