using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Wires automatic refresh into every cookie scheme, after the app configured it, so that the app needs no code:
/// the app's events are wrapped, not replaced. Only sessions signed in by a Wikimedia scheme are refreshed.
/// </summary>
internal sealed class CookieRefreshPostConfigure(TimeProvider time) : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (options.Events is RefreshingCookieEvents)
        {
            return;
        }

        options.Events = new RefreshingCookieEvents(options.Events ?? new CookieAuthenticationEvents(), options.EventsType, time);
        options.EventsType = null;
    }
}
