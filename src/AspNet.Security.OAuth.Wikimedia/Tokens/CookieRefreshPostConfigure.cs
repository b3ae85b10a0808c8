using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Wires automatic refresh into every cookie scheme, after the app configured it, so that the app needs no code:
/// the app's events are wrapped, not replaced, and so is its ticket format, which writes Wikimedia sessions with
/// the newest tokens known and compressed (<see cref="WikimediaSessionTicketFormat"/>). Only sessions signed in by
/// a Wikimedia scheme are touched.
/// </summary>
internal sealed class CookieRefreshPostConfigure(
    TimeProvider time, RotationLedger ledger, IDataProtectionProvider dataProtection, IOptionsMonitor<WikimediaAuthenticationOptions> wikimediaOptions)
    : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (options.Events is not RefreshingCookieEvents)
        {
            options.Events = new RefreshingCookieEvents(options.Events ?? new CookieAuthenticationEvents(), options.EventsType, time, ledger);
            options.EventsType = null;
        }

        if (options.TicketDataFormat is not WikimediaSessionTicketFormat)
        {
            // The cookie handler's own post-configuration creates this format when it runs first; when this runs
            // first, it is created the same way (same purposes), so cookies stay readable either way.
            options.TicketDataFormat = new WikimediaSessionTicketFormat(
                options.TicketDataFormat ?? new TicketDataFormat((options.DataProtectionProvider ?? dataProtection).CreateProtector(
                    "Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", name ?? "", "v2")),
                ledger,
                wikimediaOptions,
                time);
        }
    }
}
