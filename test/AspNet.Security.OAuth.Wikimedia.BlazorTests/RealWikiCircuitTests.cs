using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.Wikimedia.BlazorTests;

/// <summary>
/// The Blazor sample against the genuine MediaWiki with Extension:OAuth (test/realwiki) in a real Chromium: the wiki's
/// own login and consent pages, interactive circuits that outlive the wiki's access token, and a grant the user revokes
/// on the wiki while a circuit is open.
/// </summary>
[Collection(RealWikiGroup.Name)]
public sealed class RealWikiCircuitTests(RealWiki wiki) : IAsyncLifetime
{
    /// <summary>Past the real wiki's access token lifetime (one hour, test/realwiki/consumers.env).</summary>
    private static readonly TimeSpan PastExpiry = TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1);

    private readonly BrowserFixture _browser = new();
    private IBrowserContext _context = null!;

    public async Task InitializeAsync()
    {
        await _browser.InitializeAsync();
        _context = await _browser.Browser.NewContextAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _browser.DisposeAsync();
    }

    private async Task<IPage> NewPageAsync()
    {
        var page = await SamplePages.NewPageAsync(_context);
        // These tests may be the first to meet a wiki just started: its first login and consent pages fill its caches.
        page.SetDefaultTimeout(90_000);
        return page;
    }

    private async Task<IPage> SignInAsync(WikiAccount account)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(RealWikiBlazorSample.Url("/"));
        await page.ClickAsync("#signin");
        await page.WaitForURLAsync(new Regex("Special:UserLogin"));
        await page.FillAsync("input[name=wpName]", account.User);
        await page.FillAsync("input[name=wpPassword]", account.Password);
        await page.ClickAsync("[name=wploginattempt]");
        // The wiki's script turns the consent form into a dialog; a click that lands while it does so is lost, and the
        // form stays: click Allow until the wiki sends the browser back to the app, three times at the most.
        for (var attempt = 1; ; attempt++)
        {
            await page.WaitForSelectorAsync("#mw-mwoauth-authorize-form [name=accept]", new() { State = WaitForSelectorState.Visible });
            await page.ClickAsync("#mw-mwoauth-authorize-form [name=accept]");
            try
            {
                await page.WaitForURLAsync(RealWikiBlazorSample.Url("/"), new() { Timeout = 20_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                Assert.True(await page.IsVisibleAsync("#mw-mwoauth-authorize-form [name=accept]"), "After Allow, the browser is at " + page.Url);
            }
        }

        Assert.Equal($"Signed in as {account.User}", await page.InnerTextAsync("#signed-in-as"));
        return page;
    }

    private async Task<IPage> OpenCircuitAsync()
    {
        var page = await NewPageAsync();
        await SamplePages.OpenInteractiveAsync(page, RealWikiBlazorSample.Url("/article"));
        return page;
    }

    private static Task LookUpAsync(IPage page, string title) => SamplePages.LookUpAsync(page, title);

    [Fact]
    public async Task Circuits_past_the_wikis_token_lifetime_refresh_once_and_the_session_keeps_the_rotated_token()
    {
        using var sample = new RealWikiBlazorSample(wiki, wiki.Consumer(ConsumerKind.Basic));
        var home = await SignInAsync(wiki.Alice);
        var first = await OpenCircuitAsync();
        var second = await OpenCircuitAsync();
        await LookUpAsync(first, "Main Page");
        Assert.Equal("Main Page", await first.InnerTextAsync("#article-title"));

        sample.Time.Advance(PastExpiry);
        await Task.WhenAll(LookUpAsync(first, "Main Page"), LookUpAsync(second, "Main Page"), home.ReloadAsync());

        Assert.Equal("Main Page", await first.InnerTextAsync("#article-title"));
        Assert.Equal("Main Page", await second.InnerTextAsync("#article-title"));
        Assert.False(await first.IsVisibleAsync("#problem"));
        Assert.Equal(1, sample.Refreshes);

        // The next HTTP request adopts the rotated tokens; their refresh, an hour later, is accepted by the wiki (which
        // would refuse the spent refresh token of a stale cookie and end the session).
        await home.ReloadAsync();
        sample.Time.Advance(PastExpiry);
        await home.ReloadAsync();
        Assert.Equal($"Signed in as {wiki.Alice.User}", await home.InnerTextAsync("#signed-in-as"));
        Assert.Equal(2, sample.Refreshes);
        Assert.Equal(0, sample.FailedRefreshes);
    }

    [Fact]
    public async Task A_grant_revoked_on_the_wiki_while_a_circuit_is_open_ends_the_session_in_the_circuit()
    {
        using var sample = new RealWikiBlazorSample(wiki, wiki.Consumer(ConsumerKind.Basic));
        await SignInAsync(wiki.Bob);
        var page = await OpenCircuitAsync();
        using (var person = new WikiBrowser(wiki))
        {
            await person.LogInAsync(wiki.Bob);
            Assert.True(await person.RevokeAllGrantsAsync() >= 1);
        }

        sample.Time.Advance(PastExpiry);
        await page.FillAsync("#title", "Main Page");
        await page.ClickAsync("#look-up");

        await page.WaitForSelectorAsync("#session-ended");
        Assert.False(await page.IsVisibleAsync("#blazor-error-ui"));
        var ended = Assert.Single(sample.Logs.GetSnapshot(), l => l.Id.Id == 70);
        Assert.Contains("interactive circuit", ended.Message, StringComparison.Ordinal);
        await page.GotoAsync(RealWikiBlazorSample.Url("/"));
        Assert.True(await page.IsVisibleAsync("#signin"));
    }
}
