using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

/// <summary>Sign-ins under way in several tabs of one browser do not disturb each other.</summary>
public class TwoTabsTests
{
    [Fact]
    public async Task Cancel_in_one_tab_does_not_land_on_the_other_tabs_page_and_the_other_tab_still_signs_in()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var consentA = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fa"));
        var consentB = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fb"));
        using var cancelledA = await browser.ConsentAsync(consentA, allow: false);

        Assert.Equal("/denied", cancelledA.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.DoesNotContain("/b", await cancelledA.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var allowedB = await browser.ConsentAsync(consentB);

        Assert.Equal("/b", allowedB.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Empty(app.RemoteFailures);
        using var home = await browser.GetAsync(app.BaseAddress);
        Assert.Equal("Hello Example User", await home.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cancel_while_two_tabs_wait_on_the_same_page_lands_on_that_page()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var consentA = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));
        await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));
        using var cancelled = await browser.ConsentAsync(consentA, allow: false);

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("Access denied. Return: /me", await cancelled.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Each_sign_in_keeps_its_own_pending_state_cookie()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fa"));
        await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fb"));

        var pending = browser.CookiesFor(new Uri(app.BaseAddress, "/signin-wikimedia"))
            .Where(c => c.Name.StartsWith(".AspNetCore.Correlation.Wikimedia.State.", StringComparison.Ordinal));
        Assert.Equal(2, pending.Count());
    }
}
