using System.Text.RegularExpressions;
using AspNet.Security.OAuth.Wikimedia.BrowserTests;
using AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests;

/// <summary>The sample against the real wiki in a real Chromium: the wiki's own login and consent pages, clicked.</summary>
[Collection(RealWikiGroup.Name)]
public sealed partial class RealWikiBrowserTests(RealWiki wiki) : IAsyncLifetime
{
    private readonly BrowserFixture _browser = new();
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        await _browser.InitializeAsync();
        _context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 720 } });
        _page = await _context.NewPageAsync();
        _page.SetDefaultTimeout(30_000);
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _browser.DisposeAsync();
    }

    private async Task ShotAsync(string name) => await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    /// <summary>From the sample's home page to the real wiki's consent form, through its login page.</summary>
    private async Task ToConsentAsync(WikiAccount account, bool shots)
    {
        await _page.GotoAsync(InteropSample.Url("/"));
        await _page.ClickAsync("#signin");
        await _page.WaitForURLAsync(new Regex("Special:UserLogin"));
        await _page.FillAsync("input[name=wpName]", account.User);
        await _page.FillAsync("input[name=wpPassword]", account.Password);
        if (shots)
        {
            await ShotAsync("09-real-wiki-login");
        }

        await _page.ClickAsync("[name=wploginattempt]");
        // The wiki's script turns the form into a dialog: wait until its Allow button shows.
        await _page.WaitForSelectorAsync("#mw-mwoauth-authorize-form [name=accept]", new() { State = WaitForSelectorState.Visible });
    }

    [Fact]
    public async Task Sign_in_through_the_real_login_and_consent_pages_then_the_profile()
    {
        using var sample = new InteropSample(wiki, wiki.Consumer(ConsumerKind.Basic));

        await ToConsentAsync(wiki.Alice, shots: true);
        await _page.ClickAsync("#mw-mwoauth-authorize-form [name=accept]");
        await _page.WaitForURLAsync(InteropSample.Url("/"));

        Assert.Equal(wiki.Alice.User, await _page.InnerTextAsync("#username"));
        await _page.GotoAsync(InteropSample.Url("/profile"));
        Assert.Equal("basic", await _page.InnerTextAsync("#grants"));
        await ShotAsync("10-real-wiki-profile");
    }

    [Fact]
    public async Task Cancel_on_the_real_consent_page_shows_the_friendly_page()
    {
        using var sample = new InteropSample(wiki, wiki.Consumer(ConsumerKind.Basic));

        await ToConsentAsync(wiki.Bob, shots: false);
        await _page.ClickAsync("#mw-mwoauth-authorize-form [name=cancel]");
        await _page.WaitForURLAsync(new Regex("/signin-cancelled"));

        Assert.Contains("You cancelled the sign-in", await _page.InnerTextAsync("#cancelled"), StringComparison.Ordinal);
        Assert.DoesNotContain("exception", (await _page.ContentAsync()).ToLowerInvariant(), StringComparison.Ordinal);
    }
}
