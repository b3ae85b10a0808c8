using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.Wikimedia.BlazorTests;

/// <summary>
/// The Blazor sample's WebAssembly page in a real Chromium: it runs in the browser and calls the sample's own endpoint,
/// which calls Wikimedia as the user; no Wikimedia token ever reaches the browser, even across a refresh.
/// </summary>
public sealed class WebAssemblyPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime, IDisposable
{
    private readonly SampleServer _server = new();
    private readonly List<string> _bodies = [];
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _context = await fixture.Browser.NewContextAsync();
        _page = await _context.NewPageAsync();
        _page.SetDefaultTimeout(30_000);
        // Every text answer the browser gets from the sample (pages, scripts' JSON, the endpoint), to look for tokens in.
        _page.Response += async (_, response) =>
        {
            if (response.Url.StartsWith(_server.Url("/"), StringComparison.Ordinal) &&
                response.Headers.TryGetValue("content-type", out var type) && (type.Contains("json", StringComparison.Ordinal) || type.Contains("html", StringComparison.Ordinal)))
            {
                try
                {
                    var body = await response.TextAsync();
                    lock (_bodies)
                    {
                        _bodies.Add(body);
                    }
                }
                catch (PlaywrightException)
                {
                    // A redirect or a navigated-away page has no body to read.
                }
            }
        };
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task The_webassembly_page_calls_the_api_through_the_server_and_never_sees_a_token()
    {
        await _page.GotoAsync(_server.Url("/article-wasm"));
        await _page.WaitForURLAsync(new Regex("/oauth2/authorize"));
        await _page.CheckAsync("input[name=user][value='Example User']");
        await _page.ClickAsync("#allow");
        await _page.WaitForURLAsync(_server.Url("/article-wasm"));
        await SamplePages.WaitInteractiveAsync(_page);
        Assert.StartsWith("Signed in as Example User", await _page.InnerTextAsync("#browser-user"), StringComparison.Ordinal);

        await LookUpAsync("Zürich");
        Assert.Equal("Zürich", await _page.InnerTextAsync("#article-title"));

        // Past the token's lifetime, the endpoint's request refreshes it (the cookie is re-issued), and the page goes on.
        _server.Time.Advance(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
        await LookUpAsync("Earth");
        Assert.Equal("Earth", await _page.InnerTextAsync("#article-title"));
        Assert.Single(_server.Emulator.Requests, r => r.IsRefresh);

        var tokens = _server.Emulator.Requests
            .Select(r => r.Header("Authorization"))
            .OfType<string>()
            .Where(h => h.StartsWith("Bearer ", StringComparison.Ordinal))
            .Select(h => h["Bearer ".Length..])
            .Distinct()
            .ToArray();
        Assert.Equal(2, tokens.Length);
        string[] seen;
        lock (_bodies)
        {
            seen = [.. _bodies];
        }

        Assert.NotEmpty(seen);
        Assert.All(seen, body => Assert.All(tokens, token => Assert.DoesNotContain(token, body, StringComparison.Ordinal)));
        // The session cookie, which holds the tokens (encrypted), is out of the page's scripts' reach.
        var session = Assert.Single(await _context.CookiesAsync(), c => c.Name == "__Host-wikimedia-blazor");
        Assert.True(session.HttpOnly);
        Assert.True(session.Secure);
    }

    [Fact]
    public async Task The_endpoint_answers_401_not_a_redirect_when_signed_out()
    {
        var response = await _page.APIRequest.GetAsync(_server.Url("/api/article?title=Earth"), new() { MaxRedirects = 0 });
        Assert.Equal(401, response.Status);
    }

    private Task LookUpAsync(string title) => SamplePages.LookUpAsync(_page, title);
}
