using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using WikimediaBlazorApp;
using WikimediaBlazorApp.Components;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
// The user of every render mode: the cookie's in HTTP requests, the circuit's (captured when it connected) in
// interactive components. Tokens stay on the server either way.
builder.Services.AddCascadingAuthenticationState();

builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.Cookie.Name = "__Host-WikimediaBlazorApp";
        options.Cookie.HttpOnly = true;
        options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.LoginPath = "/signin";
        options.ExpireTimeSpan = TimeSpan.FromDays(14);
        options.SlidingExpiration = true;
    })
    // ClientId, ClientSecret, Scope and UserAgent come from Authentication:Schemes:Wikimedia.
    .AddWikimedia(options =>
    {
        // Wikimedia's User-Agent policy: name your tool and say how to reach you.
        options.UserAgent ??= "WikimediaBlazorApp/1.0 (https://example.org/contact)";
        options.AccessDeniedPath = "/signin-failed?reason=cancelled";
        options.Events.OnRemoteFailure = context =>
        {
            context.Response.Redirect("/signin-failed?reason=wikimedia");
            context.HandleResponse();
            return Task.CompletedTask;
        };
    });
builder.Services.AddAuthorization();

// Calls WikimediaApi:BaseAddress as the signed-in user, from HTTP requests and interactive circuits alike.
builder.Services.AddWikimediaApiClient();

// With no ClientId configured, sign in against the built-in emulator (Development only).
builder.AddWikimediaEmulatorWhenUnconfigured();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
}

app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();

app.MapGet("/signin", (HttpContext context, string? returnUrl) =>
{
    // RFC 9700 section 4.11: only local return URLs, never an open redirect.
    var target = LocalUrl.OrRoot(returnUrl);
    return context.User.Identity?.IsAuthenticated == true
        ? Results.LocalRedirect(target)
        : Results.Challenge(new AuthenticationProperties { RedirectUri = target }, ["Wikimedia"]);
});

app.MapPost("/signout", async (HttpContext context, IAntiforgery antiforgery) =>
{
    if (!await antiforgery.IsRequestValidAsync(context))
    {
        return Results.BadRequest("The sign-out form has expired. Go back, reload the page and try again.");
    }

    await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    return Results.LocalRedirect("/?signedout=1");
}).DisableAntiforgery(); // checked above, with a friendly answer instead of the middleware's 400

app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.Run();

/// <summary>The app's entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
