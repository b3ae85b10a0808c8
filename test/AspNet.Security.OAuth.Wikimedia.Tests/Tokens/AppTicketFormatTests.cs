using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>
/// An app that sets its cookie scheme's <c>TicketDataFormat</c> chooses how its sessions are protected: a key ring
/// shared with its other instances or apps (ASP.NET Core's "share authentication cookies"), or one kept apart from
/// the default (keys protected by a certificate). The library says it wraps that format; Wikimedia sessions, which hold
/// the refresh token, must still be protected by it.
/// </summary>
public class AppTicketFormatTests
{
    [Fact]
    public async Task A_wikimedia_session_in_a_cookie_with_the_apps_own_ticket_format_is_readable_wherever_that_format_is()
    {
        // The key ring the app configured for its cookie, shared by two instances; each instance's default key ring
        // (the one in DI) is its own, as on two machines, or one machine before and after a restart without persisted keys.
        var shared = new TicketDataFormat(new EphemeralDataProtectionProvider().CreateProtector("shared-session-cookie"));
        using var emulator = WikimediaEmulator.Start();
        await using var first = await TestApp.StartAsync(emulator,
            services: s => s.AddDataProtection().UseEphemeralDataProtectionProvider(),
            cookie: o => o.TicketDataFormat = shared);
        await using var second = await TestApp.StartAsync(emulator,
            services: s => s.AddDataProtection().UseEphemeralDataProtectionProvider(),
            cookie: o => o.TicketDataFormat = shared);
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(first.BaseAddress));
        var cookie = browser.CookiesFor(first.BaseAddress)[".AspNetCore.Cookies"]!.Value;

        // Cookies are not port-specific: the browser sends the session cookie to the second instance too.
        using var atSecond = await browser.GetAsync(second.BaseAddress);

        Assert.Equal(HttpStatusCode.OK, atSecond.StatusCode);
        Assert.Equal("Hello Example User", await atSecond.Content.ReadAsStringAsync());
        Assert.NotNull(shared.Unprotect(cookie));
    }
}
