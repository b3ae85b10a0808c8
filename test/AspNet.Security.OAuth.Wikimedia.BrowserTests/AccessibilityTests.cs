using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.Wikimedia.BrowserTests;

/// <summary>
/// Every page of the sample passes axe-core with no violation, and nothing scrolls sideways on a 375-pixel phone.
/// The emulator's consent page is the emulator's, not the sample's, and is not checked here.
/// </summary>
public sealed partial class AccessibilityTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime, IDisposable
{
    private readonly SampleServer _server = new();
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public static TheoryData<int> Widths => new() { 1000, 375 };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }
    }

    public void Dispose() => _server.Dispose();

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task Every_page_of_the_sample_passes_axe_and_fits_the_width(int width)
    {
        _context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 800 } });
        _page = await _context.NewPageAsync();
        _page.SetDefaultTimeout(30_000);
        var checkedPages = new List<string>();

        await CheckAsync("/", checkedPages);
        await CheckAsync("/signin-failed?reason=wikimedia", checkedPages);
        await CheckAsync("/signin-cancelled?ReturnUrl=%2Fprofile", checkedPages);

        await _page.GotoAsync(_server.Url("/"));
        await _page.ClickAsync("#signin");
        await _page.WaitForURLAsync(new Regex("/oauth2/authorize"));
        await _page.CheckAsync("input[name=user][value='Alice Admin']");
        await _page.ClickAsync("#allow");
        await _page.WaitForURLAsync(_server.Url("/"));

        await CheckAsync("/", checkedPages);
        await CheckAsync("/profile", checkedPages);
        await CheckAsync("/article?title=Earth", checkedPages);
        await CheckAsync("/article?title=No%20such%20page", checkedPages);
        await _page.ClickAsync("#signout");
        await _page.WaitForURLAsync(new Regex("signedout=1"));
        await CheckAsync(null, checkedPages);

        Assert.Equal(8, checkedPages.Count);
    }

    /// <summary>Loads <paramref name="path"/> (or checks the page shown), runs axe-core, and measures the page's width.</summary>
    private async Task CheckAsync(string? path, List<string> checkedPages)
    {
        if (path is not null)
        {
            await _page.GotoAsync(_server.Url(path));
        }

        var results = await _page.RunAxe();
        var violations = string.Join("; ", results.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))})"));
        Assert.True(results.Violations.Length == 0, $"{_page.Url}: {violations}");
        var (scrollWidth, viewport) = (await _page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await _page.EvaluateAsync<int>("window.innerWidth"));
        Assert.True(scrollWidth <= viewport, $"{_page.Url} is {scrollWidth} pixels wide in a {viewport}-pixel window.");
        checkedPages.Add(_page.Url);
    }
}
