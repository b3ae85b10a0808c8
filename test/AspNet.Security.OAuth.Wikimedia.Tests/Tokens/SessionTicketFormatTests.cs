using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>The cookie format that Wikimedia sessions are written in: compressed, and readable alongside the app's.</summary>
public class SessionTicketFormatTests
{
    [Fact]
    public async Task Wikimedia_sessions_are_compressed_and_cookies_of_the_apps_own_format_stay_readable()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var options = session.App.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        var format = options.TicketDataFormat;
        var cookie = session.Browser.CookiesFor(session.App.BaseAddress)[".AspNetCore.Cookies"]!.Value;
        Assert.StartsWith(WikimediaSessionTicketFormat.Prefix, cookie, StringComparison.Ordinal);
        var ticket = format.Unprotect(cookie)!;

        // A cookie the cookie handler's own format wrote (before this library, or for another sign-in) still reads.
        var plain = new TicketDataFormat(session.App.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", CookieAuthenticationDefaults.AuthenticationScheme, "v2"));
        var legacy = format.Unprotect(plain.Protect(ticket))!;
        Assert.Equal(ticket.Principal.Identity!.Name, legacy.Principal.Identity!.Name);
        Assert.Equal(ticket.Properties.GetTokenValue("refresh_token"), legacy.Properties.GetTokenValue("refresh_token"));

        // A ticket that is not a Wikimedia session is left to the app's format.
        var other = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "local")], "local")), "Cookies");
        Assert.DoesNotContain(WikimediaSessionTicketFormat.Prefix, format.Protect(other)[..3], StringComparison.Ordinal);

        // Tampered or truncated compressed cookies are no session, not an error.
        Assert.Null(format.Unprotect(cookie[..^10]));
        Assert.Null(format.Unprotect(WikimediaSessionTicketFormat.Prefix + "not-base64!"));
        Assert.Null(format.Unprotect(WikimediaSessionTicketFormat.Prefix + cookie[(WikimediaSessionTicketFormat.Prefix.Length + 1)..]));
    }
}
