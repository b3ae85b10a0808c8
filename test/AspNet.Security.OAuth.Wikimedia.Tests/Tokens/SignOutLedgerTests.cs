using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>
/// Refresh-token rotation makes a copy of a session's tokens worthless once they rotate (RFC 9700 section 4.14.2):
/// a cookie copied earlier (a proxy log, a profile backup, a shared computer) loses its Wikimedia tokens at the next
/// refresh. The rotation ledger hands the newest tokens to any older cookie of the session for 14 days; after the user
/// signed out, that turns every earlier copy of the cookie back into live tokens.
/// </summary>
public class SignOutLedgerTests
{
    [Fact]
    public async Task After_sign_out_an_earlier_copy_of_the_session_cookie_does_not_get_the_sessions_newest_tokens()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var emulator = WikimediaEmulator.Start(o => o.TimeProvider = time);
        await using var app = await TestApp.StartAsync(emulator,
            services: s => s.AddSingleton<TimeProvider>(time),
            endpoints: e => e.MapPost("/signout", async (HttpContext context) =>
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.Text("Signed out");
            }));
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));
        var copy = string.Join("; ", browser.CookiesFor(app.BaseAddress).Select(c => c.Name + "=" + c.Value));

        // The user works on: the tokens rotate. Then the user signs out.
        time.Advance(TimeSpan.FromHours(4));
        var newest = await MeResponse.ReadAsync(await browser.GetAsync(new Uri(app.BaseAddress, "/me")));
        using var signedOut = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(app.BaseAddress, "/signout")));
        Assert.Equal("Signed out", await signedOut.Content.ReadAsStringAsync());

        // Later, past Wikimedia's 600-second grace window, the earlier copy is presented.
        time.Advance(TimeSpan.FromMinutes(11));
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseAddress, "/me"));
        request.Headers.Add("Cookie", copy);
        using var replayed = await client.SendAsync(request);

        var tokens = replayed.StatusCode == HttpStatusCode.OK ? (await MeResponse.ReadAsync(replayed)).Tokens : [];
        Assert.NotEqual(newest.Tokens["refresh_token"], tokens.GetValueOrDefault("refresh_token"));
        Assert.NotEqual(newest.Tokens["access_token"], tokens.GetValueOrDefault("access_token"));
    }
}
