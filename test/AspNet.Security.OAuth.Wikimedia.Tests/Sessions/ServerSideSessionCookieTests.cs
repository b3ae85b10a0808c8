using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Xunit.Abstractions;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sessions;

/// <summary>With server-side sessions the cookie is a small reference whatever the profile, and holds no token.</summary>
public sealed class ServerSideSessionCookieTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_cookie_of_a_sysop_with_rights_and_grants_is_one_reference_under_500_bytes_and_holds_no_token()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync(emulatorOptions: o => o.Users.Add(SysopProfile.Create()), configure: o =>
        {
            o.MapRightClaims();
            o.MapGrantClaims();
        });
        var sysop = farm.Emulator.Options.Users.Last();

        var me = await farm.SignInAsync(sysop.Username);

        Assert.Equal(sysop.Username, me.Name);
        Assert.True(me.Values(WikimediaAuthenticationConstants.Claims.Right).Length >= 150);
        var (value, bytes, chunks) = farm.SessionCookie();
        Assert.Equal(1, chunks);
        Assert.InRange(bytes, 1, 499);

        // What the cookie holds: the session reference, nothing else.
        var inCookie = farm.CookieOptions().TicketDataFormat.Unprotect(value)!;
        var reference = Assert.Single(inCookie.Principal.Claims);
        Assert.Empty(inCookie.Properties.GetTokens());
        Assert.DoesNotContain(inCookie.Properties.Items.Keys, k => k.StartsWith(".wikimedia", StringComparison.Ordinal));
        Assert.DoesNotContain(me.Tokens["access_token"], value, StringComparison.Ordinal);

        // What the server holds: the whole session, encrypted and compressed, under that reference.
        var entry = farm.Entry(reference.Value)!;
        Assert.True(entry.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(me.Tokens["access_token"][..40])) < 0);
        Assert.True(entry.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(sysop.Username)) < 0);
        var stored = (await farm.Store().RetrieveAsync(reference.Value))!;
        Assert.Equal(me.Tokens["access_token"], stored.Properties.GetTokenValue("access_token"));
        Assert.Equal(me.Tokens["refresh_token"], stored.Properties.GetTokenValue("refresh_token"));
        output.WriteLine($"figures: server-side session of a sysop-sized profile (150 rights, grants, 10 groups): cookie {bytes} bytes in {chunks} chunk; stored entry {entry.Length} bytes");
    }

    [Fact]
    public async Task Cookie_bytes_of_a_sysop_sized_profile_in_both_modes()
    {
        var sizes = new List<string>();
        foreach (var (label, configure) in new (string, Action<WikimediaAuthenticationOptions>)[]
        {
            ("default claims", _ => { }),
            ("+ rights and grants", o => { o.MapRightClaims(); o.MapGrantClaims(); }),
        })
        {
            using (var emulator = WikimediaEmulator.Start())
            {
                var sysop = SysopProfile.Create();
                emulator.Options.Users.Add(sysop);
                await using var app = await TestApp.StartAsync(emulator, configure);
                using var browser = new TestBrowser();
                await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress, sysop.Username));
                var cookies = browser.CookiesFor(app.BaseAddress).Where(c => c.Name.StartsWith(".AspNetCore.Cookies", StringComparison.Ordinal)).ToArray();
                sizes.Add($"{label}: cookie sessions {cookies.Sum(c => c.Name.Length + 1 + c.Value.Length)} bytes in {cookies.Length} chunk(s)");
            }

            await using var farm = await ServerSideSessionFixture.StartAsync(emulatorOptions: o => o.Users.Add(SysopProfile.Create()), configure: configure);
            await farm.SignInAsync(farm.Emulator.Options.Users.Last().Username);
            var (_, bytes, chunks) = farm.SessionCookie();
            Assert.InRange(bytes, 1, 499);
            sizes.Add($"server-side sessions {bytes} bytes in {chunks} chunk(s), entry {farm.Entry(farm.SessionKey())!.Length} bytes");
        }

        output.WriteLine("figures: session cookie of a sysop-sized profile, " + string.Join("; ", sizes));
    }

    [Fact]
    public async Task Cookies_of_two_users_point_to_two_sessions()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        await farm.SignInAsync();
        var first = farm.SessionKey();
        using var other = new TestBrowser();
        var otherMe = await MeResponse.ReadAsync(await other.SignInAsync(farm.App.BaseAddress, "Alice Admin"));

        Assert.Equal("Alice Admin", otherMe.Name);
        Assert.Equal("Example User", (await farm.MeAsync()).Name);
        Assert.NotEqual(first, farm.CookieOptions().TicketDataFormat.Unprotect(other.CookiesFor(farm.App.BaseAddress)[".AspNetCore.Cookies"]!.Value)!.Principal.Claims.Single().Value);
        Assert.Equal(HttpStatusCode.OK, (await farm.GetAsync("/")).StatusCode);
    }
}
