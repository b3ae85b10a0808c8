using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>
/// The cookie format that Wikimedia sessions are written in: the app's own, with the session compressed inside it when
/// it would not fit one cookie otherwise.
/// </summary>
public class SessionTicketFormatTests
{
    /// <summary>The session's ticket, written by a Wikimedia format (always compressed) over a format that counts its decodings.</summary>
    private static (CountingFormat Counting, WikimediaSessionTicketFormat Format, AuthenticationTicket Original, string Cookie) CountedFormat(RefreshFixture session)
    {
        var services = session.App.Services;
        var counting = new CountingFormat(new TicketDataFormat(services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test")));
        var format = new WikimediaSessionTicketFormat(
            counting, services.GetRequiredService<RotationLedger>(), services.GetRequiredService<IOptionsMonitor<WikimediaAuthenticationOptions>>(), session.Time,
            compressAbove: 0);
        var original = services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme)
            .TicketDataFormat.Unprotect(session.Browser.CookiesFor(session.App.BaseAddress)[".AspNetCore.Cookies"]!.Value)!;
        return (counting, format, original, format.Protect(original));
    }

    private static TicketDataFormat AppFormat(RefreshFixture session) => new(session.App.Services.GetRequiredService<IDataProtectionProvider>()
        .CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", CookieAuthenticationDefaults.AuthenticationScheme, "v2"));

    [Fact]
    public async Task A_session_that_fits_one_cookie_is_written_by_the_apps_format_uncompressed_and_one_that_does_not_is_compressed()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var cookie = session.Browser.CookiesFor(session.App.BaseAddress)[".AspNetCore.Cookies"]!.Value;
        var ticket = AppFormat(session).Unprotect(cookie)!;
        Assert.Equal("Example User", ticket.Principal.Identity!.Name);
        Assert.DoesNotContain(WikimediaSessionTicketFormat.CarrierItem, ticket.Properties.Items.Keys);
        var limit = WikimediaSessionTicketFormat.CompressAboveFor(
            session.App.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme));
        Assert.True(cookie.Length <= limit, $"{cookie.Length} > {limit}");

        // The same session with 150 rights claims would not fit: it is compressed (Sample/CookieSizeTests shows a sysop's
        // session fits one cookie so).
        var format = session.App.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat;
        var identity = (ClaimsIdentity)ticket.Principal.Identity;
        identity.AddClaims(Enumerable.Range(0, 150).Select(i => new Claim(WikimediaAuthenticationConstants.Claims.Right, "right-number-" + i)));
        var big = format.Protect(ticket);
        Assert.Contains(WikimediaSessionTicketFormat.CarrierItem, AppFormat(session).Unprotect(big)!.Properties.Items.Keys);
        Assert.True(big.Length < AppFormat(session).Protect(ticket).Length * 3 / 4, $"compressed {big.Length}");
        Assert.Equal(151, format.Unprotect(big)!.Principal.Claims.Count(c => c.Type is WikimediaAuthenticationConstants.Claims.Right or ClaimTypes.Name));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("example.org", null)]
    [InlineData("sessions.tools.wikimedia-apps.example.org", null)]
    [InlineData(null, "/tools/a-wikimedia-tool/with-a-long-path")]
    public void A_session_written_uncompressed_at_the_threshold_is_one_cookie_whatever_the_cookies_domain_and_path(string? domain, string? path)
    {
        var options = new CookieAuthenticationOptions { CookieManager = new ChunkingCookieManager() };
        options.Cookie.Name = ".AspNetCore.Cookies";
        options.Cookie.Domain = domain;
        options.Cookie.Path = path;
        options.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.Always;
        options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.None;
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Scheme = "https";
        var cookieOptions = options.Cookie.Build(context);
        cookieOptions.Expires = new DateTimeOffset(2026, 11, 25, 23, 59, 59, TimeSpan.Zero);

        // The longest text the format writes uncompressed, as the cookie handler appends it (a persistent cookie).
        var text = new string('a', WikimediaSessionTicketFormat.CompressAboveFor(options));
        options.CookieManager.AppendResponseCookie(context, options.Cookie.Name, text, cookieOptions);

        var header = Assert.Single(context.Response.Headers.SetCookie.ToArray());
        Assert.StartsWith(".AspNetCore.Cookies=" + text + ";", header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wikimedia_sessions_are_compressed_inside_the_apps_format_and_cookies_written_before_stay_readable()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var plain = AppFormat(session);
        var services = session.App.Services;
        var format = new WikimediaSessionTicketFormat(
            plain, services.GetRequiredService<RotationLedger>(), services.GetRequiredService<IOptionsMonitor<WikimediaAuthenticationOptions>>(), session.Time,
            compressAbove: 0);
        var cookie = format.Protect(plain.Unprotect(session.Browser.CookiesFor(session.App.BaseAddress)[".AspNetCore.Cookies"]!.Value)!);

        // The app's own format reads the cookie: it holds one item, the compressed session, and no token in the clear.
        var carrier = plain.Unprotect(cookie)!;
        Assert.Equal([WikimediaSessionTicketFormat.CarrierItem], carrier.Properties.Items.Keys);
        Assert.Empty(carrier.Principal.Claims);
        var ticket = format.Unprotect(cookie)!;
        Assert.Equal("Example User", ticket.Principal.Identity!.Name);
        Assert.DoesNotContain(ticket.Properties.GetTokenValue("refresh_token")!, carrier.Properties.Items[WikimediaSessionTicketFormat.CarrierItem], StringComparison.Ordinal);

        // A cookie written by the app's format before (uncompressed) still reads.
        var legacy = format.Unprotect(plain.Protect(ticket))!;
        Assert.Equal(ticket.Properties.GetTokenValue("refresh_token"), legacy.Properties.GetTokenValue("refresh_token"));

        // A ticket that is not a Wikimedia session is left to the app's format as it is.
        var other = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "local")], "local")), "Cookies");
        Assert.Equal("local", plain.Unprotect(format.Protect(other))!.Principal.Identity!.Name);

        // Damaged payloads are no session, not an error; so is a payload that inflates beyond any real session.
        Assert.Null(format.Unprotect(cookie[..^10]));
        Assert.Null(format.Unprotect(plain.Protect(Carrier("not base64 !"))));
        Assert.Null(format.Unprotect(plain.Protect(Carrier(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode([1, 2, 3, 4])))));
        Assert.Null(format.Unprotect(plain.Protect(Carrier(Bomb()))));
    }

    [Fact]
    public async Task A_cookie_seen_twice_in_the_last_minute_is_not_decoded_again_and_each_reader_gets_its_own_copy()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var (counting, format, original, cookie) = CountedFormat(session);

        // Seen once: decoded, not kept (a user who reads a page a minute pays no copy); seen again: kept.
        format.Unprotect(cookie)!.Properties.UpdateTokenValue("access_token", "changed by a reader");
        var first = format.Unprotect(cookie)!;
        first.Properties.UpdateTokenValue("access_token", "changed by a reader");
        var second = format.Unprotect(cookie)!;
        var third = format.Unprotect(cookie)!;

        Assert.Equal(2, counting.Unprotects);
        Assert.NotSame(second, third);
        Assert.Equal(original.Properties.GetTokenValue("access_token"), second.Properties.GetTokenValue("access_token"));

        session.Time.Advance(WikimediaSessionTicketFormat.DecodedLifetime);
        Assert.Equal(original.Properties.GetTokenValue("access_token"), format.Unprotect(cookie)!.Properties.GetTokenValue("access_token"));
        Assert.Equal(3, counting.Unprotects);
    }

    private sealed class CountingFormat(ISecureDataFormat<AuthenticationTicket> inner) : ISecureDataFormat<AuthenticationTicket>
    {
        public int Unprotects { get; private set; }

        public string Protect(AuthenticationTicket data) => inner.Protect(data);

        public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Unprotects++;
            return inner.Unprotect(protectedText, purpose);
        }
    }

    private static AuthenticationTicket Carrier(string payload)
        => new(new ClaimsPrincipal(), new AuthenticationProperties(new Dictionary<string, string?> { [WikimediaSessionTicketFormat.CarrierItem] = payload }), "Cookies");

    /// <summary>Ten megabytes of zeros, compressed to a few hundred bytes.</summary>
    private static string Bomb()
    {
        using var compressed = new MemoryStream();
        using (var brotli = new System.IO.Compression.BrotliStream(compressed, System.IO.Compression.CompressionLevel.Optimal))
        {
            brotli.Write(new byte[10 * 1024 * 1024]);
        }

        return Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(compressed.ToArray());
    }

    [Fact]
    public async Task Variants_of_a_cookie_that_the_format_accepts_are_decoded_but_never_kept()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var (counting, format, original, cookie) = CountedFormat(session);

        // The same cookie with padding the base64url decoder skips: the same session, another text, each time.
        for (var i = 1; i <= 3; i++)
        {
            var variant = cookie + new string(' ', i);
            for (var reads = 0; reads < 3; reads++)
            {
                Assert.Equal("Example User", format.Unprotect(variant)!.Principal.Identity!.Name);
            }
        }

        // Kept, the second read of each would have been the last decoding: 6.
        Assert.Equal(9, counting.Unprotects);
    }
}
