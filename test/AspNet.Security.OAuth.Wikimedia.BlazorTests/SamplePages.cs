using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AspNet.Security.OAuth.Wikimedia.BlazorTests;

/// <summary>What the tests do with the Blazor sample's pages in Chromium, once for all of them.</summary>
internal static class SamplePages
{
    public static async Task<IPage> NewPageAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    /// <summary>Signs in on the emulator's consent page, from the home page, as <paramref name="user"/>.</summary>
    public static async Task SignInAsync(IPage page, SampleServer server, string user)
    {
        await page.GotoAsync(server.Url("/"));
        await page.ClickAsync("#signin");
        await page.WaitForURLAsync(new Regex("/oauth2/authorize"));
        await page.CheckAsync($"input[name=user][value='{user}']");
        await page.ClickAsync("#allow");
        await page.WaitForURLAsync(server.Url("/"));
        Assert.Equal("Signed in as " + user, await page.InnerTextAsync("#signed-in-as"));
    }

    /// <summary>
    /// Opens an article page (interactive server, or WebAssembly) and waits until it runs interactively: a WebAssembly
    /// page first downloads and starts the .NET runtime, which on a loaded 2-core machine can take a while.
    /// </summary>
    public static async Task OpenInteractiveAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await WaitInteractiveAsync(page);
    }

    /// <summary>Waits until the article page that the browser shows runs interactively.</summary>
    public static Task WaitInteractiveAsync(IPage page)
        => page.WaitForSelectorAsync("#article-page[data-interactive=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 90_000 });

    /// <summary>Looks up <paramref name="title"/> and waits until the page has the answer (or shows no form any more).</summary>
    public static async Task LookUpAsync(IPage page, string title)
    {
        var before = await page.InnerTextAsync("#lookups");
        await page.FillAsync("#title", title);
        await page.ClickAsync("#look-up");
        await page.WaitForFunctionAsync("before => document.querySelector('#lookups')?.textContent !== before", before);
    }
}
