using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Wires automatic refresh into the cookie scheme that each Wikimedia scheme signs in to (its
/// <see cref="RemoteAuthenticationOptions.SignInScheme"/>, else the default sign-in scheme), and into the ones it
/// names in <see cref="WikimediaAuthenticationOptions.AdditionalRefreshCookieSchemes"/>, after the app configured
/// them, so that the app needs no code: the app's events are wrapped, not replaced, and so is its ticket format,
/// which writes Wikimedia sessions with the newest tokens known and compressed (<see cref="WikimediaSessionTicketFormat"/>).
/// Every other cookie scheme (Identity's, say) is left as the app made it.
/// </summary>
internal sealed class CookieRefreshPostConfigure(
    TimeProvider time,
    RotationLedger ledger,
    IDataProtectionProvider dataProtection,
    IOptions<AuthenticationOptions> authenticationOptions,
    IOptionsMonitor<WikimediaAuthenticationOptions> wikimediaOptions)
    : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (name is null || !HoldsWikimediaSessions(name))
        {
            return;
        }

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
                time,
                WikimediaSessionTicketFormat.CompressAboveFor(options));
        }
    }

    private bool HoldsWikimediaSessions(string cookieScheme)
    {
        var authentication = authenticationOptions.Value;
        foreach (var scheme in authentication.Schemes)
        {
            if (scheme.HandlerType is not { } handler || !typeof(WikimediaAuthenticationHandler).IsAssignableFrom(handler))
            {
                continue;
            }

            var options = wikimediaOptions.Get(scheme.Name);
            var signIn = options.SignInScheme ?? authentication.DefaultSignInScheme ?? authentication.DefaultScheme;
            if (options.AutomaticRefresh && (signIn == cookieScheme || options.AdditionalRefreshCookieSchemes.Contains(cookieScheme)))
            {
                return true;
            }
        }

        return false;
    }
}
