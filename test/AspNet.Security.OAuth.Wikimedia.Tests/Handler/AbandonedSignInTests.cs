using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

/// <summary>
/// Each sign-in keeps its protected state, return URL included, in a pending-state cookie sent with every request to
/// the callback for 15 minutes. The return URL is whatever the link to <c>/signin</c> says (the sample follows any
/// local URL), and <c>/signin</c> is a GET that any page can make a browser load, so a page the user visits decides
/// how big the callback's Cookie header gets.
/// </summary>
public class AbandonedSignInTests
{
    [Fact]
    public async Task Ten_sign_ins_started_with_long_return_urls_do_not_stop_the_next_sign_in_from_completing()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();
        browser.Cookies.PerDomainCapacity = 180; // Chrome's per-site limit; HttpClient's default is 20.

        // What ten <img src="https://app/signin?returnUrl=/aaa..."> on another site make the browser do: 2,700
        // characters keep each pending-state cookie under the 4,096 bytes that browsers store.
        var longReturnUrl = "/" + new string('a', 2700);
        for (var i = 0; i < 10; i++)
        {
            using var started = await browser.GetAsync(new Uri(app.BaseAddress, "/signin?returnUrl=" + Uri.EscapeDataString(longReturnUrl)));
            Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        }

        // Then the user signs in.
        using var landed = await browser.SignInAsync(app.BaseAddress);

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("/me", landed.RequestMessage!.RequestUri!.AbsolutePath);
    }
}
