using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.Wikimedia.BrowserTests;

/// <summary>
/// The sample, driven by a real Chromium the way a person uses it: click, read the page, click again.
/// Every step leaves a screenshot in <see cref="BrowserFixture.ScreenshotDirectory"/>.
/// </summary>
public sealed partial class SignInJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime, IDisposable
{
    private readonly SampleServer _server = new();
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 720 } });
        _page = await _context.NewPageAsync();
        _page.SetDefaultTimeout(30_000);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public void Dispose() => _server.Dispose();

    private async Task ShotAsync(string name) => await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    private async Task SignInAsync(string user)
    {
        await _page.GotoAsync(_server.Url("/"));
        await _page.ClickAsync("#signin");
        await _page.WaitForURLAsync(new Regex("/oauth2/authorize"));
        await _page.CheckAsync($"input[name=user][value='{user}']");
        await ShotAsync("02-consent");
        await _page.ClickAsync("#allow");
        await _page.WaitForURLAsync(_server.Url("/"));
    }

    [Fact]
    public async Task Sign_in_profile_article_and_sign_out()
    {
        await _page.GotoAsync(_server.Url("/"));
        Assert.Contains("built-in Wikimedia emulator", await _page.InnerTextAsync("#emulator-banner"), StringComparison.Ordinal);
        await ShotAsync("01-home");

        await SignInAsync("Alice Admin");
        Assert.Equal("Alice Admin", await _page.InnerTextAsync("#username"));
        await ShotAsync("03-signed-in");

        await _page.ClickAsync("nav >> text=Profile");
        await _page.WaitForURLAsync(_server.Url("/profile"));
        Assert.Equal("23456789", await _page.InnerTextAsync("#user-id"));
        Assert.Equal("user, autoconfirmed, sysop", await _page.InnerTextAsync("#groups"));
        await ShotAsync("04-profile");

        await _page.ClickAsync("nav >> text=Article");
        await _page.WaitForURLAsync(new Regex("/article"));
        Assert.Equal("Earth", await _page.InnerTextAsync("#article-title"));
        Assert.Equal("1262236514", await _page.InnerTextAsync("#revision-id"));
        await ShotAsync("05-article");

        await _page.ClickAsync("#signout");
        await _page.WaitForURLAsync(new Regex("signedout=1"));
        Assert.Equal("You are signed out.", await _page.InnerTextAsync("#signed-out"));
        Assert.Equal(1, await _page.Locator("#signin").CountAsync());
        await ShotAsync("06-signed-out");

        // Signed out for real: the profile asks for a sign-in again.
        await _page.GotoAsync(_server.Url("/profile"));
        await _page.WaitForURLAsync(new Regex("/oauth2/authorize"));
    }

    [Fact]
    public async Task Cancel_on_the_consent_page_shows_a_friendly_message()
    {
        await _page.GotoAsync(_server.Url("/profile"));
        await _page.WaitForURLAsync(new Regex("/oauth2/authorize"));
        await _page.ClickAsync("#cancel");
        await _page.WaitForURLAsync(new Regex("/signin-cancelled"));

        Assert.Contains("You cancelled the sign-in", await _page.InnerTextAsync("#cancelled"), StringComparison.Ordinal);
        Assert.DoesNotContain("exception", (await _page.ContentAsync()).ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Equal(1, await _page.Locator("a.button[href='/signin?returnUrl=%2Fprofile']").CountAsync());
        await ShotAsync("07-cancelled");
    }

    [Fact]
    public async Task A_session_that_outlives_its_access_token_keeps_working_with_exactly_one_refresh()
    {
        var signedInAt = _server.Time.GetUtcNow();
        await SignInAsync("Example User");
        await _page.GotoAsync(_server.Url("/profile"));
        Assert.Equal(signedInAt.ToString("u", CultureInfo.InvariantCulture), await _page.InnerTextAsync("#token-issued"));

        _server.Time.Advance(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
        var refreshedAt = _server.Time.GetUtcNow();
        await _page.GotoAsync(_server.Url("/article?title=Z%C3%BCrich"));
        Assert.Equal("Zürich", await _page.InnerTextAsync("#article-title"));
        await _page.GotoAsync(_server.Url("/profile"));

        Assert.Equal("Example User", await _page.InnerTextAsync("#user-name"));
        Assert.Equal(refreshedAt.ToString("u", CultureInfo.InvariantCulture), await _page.InnerTextAsync("#token-issued"));
        Assert.Single(_server.Emulator.Requests, r => r.IsRefresh);
        await ShotAsync("08-profile-after-refresh");
    }
}
