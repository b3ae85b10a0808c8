using AspNet.Security.OAuth.Wikimedia.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Cookie events that refresh Wikimedia tokens in <c>ValidatePrincipal</c>, then hand every event to the app's own
/// events: its <see cref="CookieAuthenticationOptions.Events"/> instance, or the <see cref="AuthenticationSchemeOptions.EventsType"/>
/// it registered, resolved per request as the cookie handler would.
/// </summary>
internal sealed class RefreshingCookieEvents(CookieAuthenticationEvents appEvents, Type? appEventsType, TimeProvider time, RotationLedger ledger) : CookieAuthenticationEvents
{
    public override Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        // This runs on every authenticated request: the common case (no Wikimedia session, or a token that is not
        // due and not superseded) costs two item lookups and one integer parse, and no allocation.
        return context.Principal is not null &&
               SessionState.TryReadNextCheck(context.Properties, out var nextCheck) &&
               (time.GetUtcNow() >= nextCheck || ledger.HasNewer(context.Properties))
            ? RefreshThenValidateAsync(context)
            : App(context.HttpContext).ValidatePrincipal(context);
    }

    private async Task RefreshThenValidateAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is { } principal)
        {
            var refresher = context.HttpContext.RequestServices.GetRequiredService<WikimediaTokenRefresher>();
            switch (await refresher.EnsureFreshAsync(context.HttpContext, principal, context.Properties, force: false, context.HttpContext.RequestAborted))
            {
                case null:
                    break;
                case { Status: WikimediaTokenStatus.SessionEnded }:
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(context.Scheme.Name);
                    return;
                case not null when DistributedSessionStore.TryGetStored(context.Properties, out var store, out var key):
                    // A server-side session is updated in the store now, and the cookie, a mere reference, is left
                    // alone: no stale copy of the tokens can exist anywhere.
                    await store.RenewAsync(key, new AuthenticationTicket(principal, context.Properties, context.Scheme.Name), CancellationToken.None);
                    break;
                default:
                    context.ShouldRenew = true;
                    break;
            }
        }

        await App(context.HttpContext).ValidatePrincipal(context);
    }

    public override Task CheckSlidingExpiration(CookieSlidingExpirationContext context) => App(context.HttpContext).CheckSlidingExpiration(context);

    public override Task SigningIn(CookieSigningInContext context) => App(context.HttpContext).SigningIn(context);

    public override Task SignedIn(CookieSignedInContext context) => App(context.HttpContext).SignedIn(context);

    public override async Task SigningOut(CookieSigningOutContext context)
    {
        // The session being signed out, as the authentication middleware read it. (Not AuthenticateAsync here: a
        // refresh that ends the session signs out from within the cookie's own authentication, which would wait on
        // itself; that path marks the session ended before it signs out.)
        if (context.HttpContext.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties is { } session &&
            SessionState.TryRead(session, out var state))
        {
            ledger.End(state.SessionId);
        }

        if (context.Options.SessionStore is DistributedSessionStore store)
        {
            await store.RemoveUnreadAsync(context.HttpContext);
        }

        await App(context.HttpContext).SigningOut(context);
    }

    public override Task RedirectToLogout(RedirectContext<CookieAuthenticationOptions> context) => App(context.HttpContext).RedirectToLogout(context);

    public override Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context) => App(context.HttpContext).RedirectToLogin(context);

    public override Task RedirectToReturnUrl(RedirectContext<CookieAuthenticationOptions> context) => App(context.HttpContext).RedirectToReturnUrl(context);

    public override Task RedirectToAccessDenied(RedirectContext<CookieAuthenticationOptions> context) => App(context.HttpContext).RedirectToAccessDenied(context);

    private CookieAuthenticationEvents App(HttpContext context)
        => appEventsType is null ? appEvents : (CookieAuthenticationEvents)context.RequestServices.GetRequiredService(appEventsType);
}
