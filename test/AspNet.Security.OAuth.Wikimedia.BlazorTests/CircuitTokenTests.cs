using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.Wikimedia.BlazorTests;

/// <summary>
/// The Blazor sample in a real Chromium: interactive server circuits that outlive the access token, several at once
/// with HTTP requests of the same session, and a refresh token that dies while a circuit is open.
/// </summary>
public sealed class CircuitTokenTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime, IDisposable
{
    /// <summary>Past the emulator's access token lifetime (4 hours, as Wikimedia's).</summary>
    private static readonly TimeSpan PastExpiry = TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1);

    private readonly SampleServer _server = new();
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await fixture.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public void Dispose() => _server.Dispose();

    private Task<IPage> NewPageAsync() => SamplePages.NewPageAsync(_context);

    private async Task<IPage> SignInAsync()
    {
        var page = await NewPageAsync();
        await SamplePages.SignInAsync(page, _server, "Example User");
        return page;
    }

    /// <summary>Opens the interactive article page and waits for its circuit.</summary>
    private async Task<IPage> OpenCircuitAsync(IPage? page = null)
    {
        page ??= await NewPageAsync();
        await SamplePages.OpenInteractiveAsync(page, _server.Url("/article"));
        return page;
    }

    private static Task LookUpAsync(IPage page, string title) => SamplePages.LookUpAsync(page, title);

    private static async Task ShotAsync(IPage page, string name)
        => await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    [Fact]
    public async Task An_interactive_component_calls_the_API_as_the_signed_in_user()
    {
        var page = await OpenCircuitAsync(await SignInAsync());
        Assert.Equal("Signed in as Example User (in this interactive circuit)", await page.InnerTextAsync("#circuit-user"));

        await LookUpAsync(page, "Zürich");

        Assert.Equal("Zürich", await page.InnerTextAsync("#article-title"));
        var call = Assert.Single(_server.Emulator.Requests, r => r.Path.Contains("/page/", StringComparison.Ordinal));
        Assert.StartsWith("Bearer ", call.Header("Authorization"), StringComparison.Ordinal);
        await ShotAsync(page, "blazor-01-article");
    }

    [Fact]
    public async Task Circuits_and_requests_past_expiry_share_one_refresh_and_the_next_request_keeps_the_rotated_token()
    {
        var home = await SignInAsync();
        var first = await OpenCircuitAsync();
        var second = await OpenCircuitAsync();

        _server.Time.Advance(PastExpiry);
        // Two circuits and an HTTP request of the one session, all due at once.
        await Task.WhenAll(LookUpAsync(first, "Earth"), LookUpAsync(second, "Zürich"), home.ReloadAsync());

        Assert.Equal("Earth", await first.InnerTextAsync("#article-title"));
        Assert.Equal("Zürich", await second.InnerTextAsync("#article-title"));
        var refresh = Assert.Single(_server.Emulator.Requests, r => r.IsRefresh);

        // The session's next HTTP request carries the rotated tokens (adopted, its cookie re-issued): once those are due
        // in turn, the refresh spends the new refresh token, which the server accepts, and the session goes on.
        await home.ReloadAsync();
        _server.Time.Advance(PastExpiry);
        await home.ReloadAsync();
        Assert.Equal("Signed in as Example User", await home.InnerTextAsync("#signed-in-as"));
        var refreshes = _server.Emulator.Requests.Where(r => r.IsRefresh).ToArray();
        Assert.Equal(2, refreshes.Length);
        Assert.NotEqual(refresh.Form["refresh_token"], refreshes[1].Form["refresh_token"]);

        // And a circuit opened now sees the same session, without another refresh.
        var third = await OpenCircuitAsync();
        await LookUpAsync(third, "Earth");
        Assert.Equal("Earth", await third.InnerTextAsync("#article-title"));
        Assert.Equal(2, _server.Emulator.Requests.Count(r => r.IsRefresh));
    }

    [Fact]
    public async Task A_refresh_token_that_dies_while_a_circuit_is_open_ends_the_session_visibly()
    {
        await SignInAsync();
        var page = await OpenCircuitAsync();
        Assert.True(_server.Emulator.RevokeGrants("Example User") > 0);

        _server.Time.Advance(PastExpiry);
        await page.FillAsync("#title", "Earth");
        await page.ClickAsync("#look-up");

        await page.WaitForSelectorAsync("#session-ended");
        Assert.Contains("Your Wikimedia session has ended.", await page.InnerTextAsync("#session-ended"));
        Assert.False(await page.IsVisibleAsync("#blazor-error-ui"));
        await ShotAsync(page, "blazor-02-session-ended");

        // The session's next HTTP request is signed out at once: no second try with the dead refresh token.
        await page.ClickAsync("#signin-again");
        await page.WaitForURLAsync(new Regex("/oauth2/authorize"));
        Assert.Single(_server.Emulator.Requests, r => r.IsRefresh);
    }
}
