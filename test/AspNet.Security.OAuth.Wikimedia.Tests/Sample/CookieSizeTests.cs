using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sample;

/// <summary>
/// The session cookie must fit one 4,096-byte cookie for any user, administrators included: past that it is split
/// into chunks, and a 16 KB Cookie header is refused by nginx's default limits (400) or Kestrel's (431).
/// </summary>
public sealed class CookieSizeTests(ITestOutputHelper output)
{
    private static int CookieBytes(TestBrowser browser, Uri app, string name, out int chunks)
    {
        var cookies = browser.CookiesFor(app).Where(c => c.Name.StartsWith(name, StringComparison.Ordinal)).ToArray();
        chunks = cookies.Length;
        return cookies.Sum(c => c.Name.Length + 1 + c.Value.Length);
    }

    [Fact]
    public async Task The_samples_cookie_of_an_administrator_fits_one_chunk_with_real_size_tokens()
    {
        using var app = new SampleApp();
        var sysop = SysopProfile.Create();
        app.Emulator.Options.Users.Add(sysop);
        using var browser = new TestBrowser();

        var consent = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2F"));
        using var home = await browser.ConsentAsync(consent, sysop.Username);
        var token = app.Emulator.TokenRequests.Count;

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains(sysop.Username, await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var bytes = CookieBytes(browser, app.BaseAddress, "__Host-wikimedia-sample", out var chunks);
        Assert.Equal(1, chunks);
        Assert.InRange(bytes, 1, 4096);
        Assert.Equal(1, token);
        output.WriteLine($"figures: sample cookie of a sysop-sized profile (150 rights, 10 groups): {bytes} bytes in {chunks} chunk");
    }

    [Fact]
    public async Task Rights_and_grants_are_opt_in_and_what_each_costs()
    {
        var sizes = new List<(string Claims, int Bytes, int Chunks)>();
        foreach (var (label, configure) in new (string, Action<WikimediaAuthenticationOptions>)[]
        {
            ("default claims", _ => { }),
            ("+ grants", o => o.MapGrantClaims()),
            ("+ rights", o => o.MapRightClaims()),
        })
        {
            using var emulator = WikimediaEmulator.Start();
            var sysop = SysopProfile.Create();
            emulator.Options.Users.Add(sysop);
            await using var app = await TestApp.StartAsync(emulator, configure);
            using var browser = new TestBrowser();
            var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress, sysop.Username));
            Assert.Equal(sysop.Username, me.Name);
            Assert.Equal(label == "+ grants", me.Values(WikimediaAuthenticationConstants.Claims.Grant).Length > 0);
            Assert.Equal(label == "+ rights" ? 150 : 0, me.Values(WikimediaAuthenticationConstants.Claims.Right).Length);
            var bytes = CookieBytes(browser, app.BaseAddress, ".AspNetCore.Cookies", out var chunks);
            sizes.Add((label, bytes, chunks));
        }

        output.WriteLine("figures: cookie of a sysop-sized profile: " + string.Join("; ", sizes.Select(s => $"{s.Claims} {s.Bytes} bytes in {s.Chunks} chunk(s)")));
        Assert.Equal(1, sizes[0].Chunks);
        // Grants are a handful of short claims: compressed, their cost is within the noise of the random tokens.
        Assert.True(sizes[1].Bytes - sizes[0].Bytes < 300, $"grants should cost under 300 bytes, cost {sizes[1].Bytes - sizes[0].Bytes}");
        Assert.True(sizes[2].Bytes - sizes[0].Bytes > 1000, $"150 rights should cost over 1,000 bytes, cost {sizes[2].Bytes - sizes[0].Bytes}");
    }
}
