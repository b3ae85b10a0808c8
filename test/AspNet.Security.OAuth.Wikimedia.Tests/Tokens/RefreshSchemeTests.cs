using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>Automatic refresh is wired into the cookie scheme Wikimedia signs in to, and into no other.</summary>
public class RefreshSchemeTests
{
    private static CookieAuthenticationOptions Cookie(TestApp app, string scheme)
        => app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(scheme);

    [Fact]
    public async Task Only_the_sign_in_scheme_is_wired_and_another_cookie_scheme_is_left_as_the_app_made_it()
    {
        using var emulator = WikimediaEmulator.Start();
        var events = new CookieAuthenticationEvents();
        await using var app = await TestApp.StartAsync(emulator, services: s => s.AddAuthentication().AddCookie("Identity.Application", o => o.Events = events));

        Assert.IsType<RefreshingCookieEvents>(Cookie(app, CookieAuthenticationDefaults.AuthenticationScheme).Events);
        Assert.IsType<WikimediaSessionTicketFormat>(Cookie(app, CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat);
        Assert.Same(events, Cookie(app, "Identity.Application").Events);
        Assert.IsNotType<WikimediaSessionTicketFormat>(Cookie(app, "Identity.Application").TicketDataFormat);
    }

    [Fact]
    public async Task Another_cookie_scheme_can_be_added_and_the_sign_in_scheme_opted_out()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, o =>
        {
            o.AutomaticRefresh = true;
            o.AdditionalRefreshCookieSchemes.Add("Second");
        }, services: s => s.AddAuthentication().AddCookie("Second"));
        await using var optedOut = await TestApp.StartAsync(emulator, o => o.AutomaticRefresh = false);

        Assert.IsType<RefreshingCookieEvents>(Cookie(app, "Second").Events);
        Assert.IsNotType<RefreshingCookieEvents>(Cookie(optedOut, CookieAuthenticationDefaults.AuthenticationScheme).Events);
    }

    [Fact]
    public async Task With_automatic_refresh_off_a_due_token_is_not_refreshed_until_the_app_asks()
    {
        await using var session = await RefreshFixture.SignedInAsync(configure: o => o.AutomaticRefresh = false);
        var signIn = await session.MeAsync();
        session.Time.Advance(session.Lifetime - TimeSpan.FromMinutes(2));

        Assert.Equal(signIn.Tokens["access_token"], (await session.MeAsync()).Tokens["access_token"]);
        Assert.Empty(session.Refreshes);

        var forced = await session.TokenAsync(force: true);
        Assert.NotEqual(signIn.Tokens["access_token"], forced.AccessToken);
        Assert.Single(session.Refreshes);
    }
}
