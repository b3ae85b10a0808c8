using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using WikimediaRazorApp;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorPages(options =>
{
    options.Conventions.AuthorizePage("/Profile");
    options.Conventions.AuthorizePage("/Article");
});

builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.Cookie.Name = "__Host-WikimediaRazorApp";
        options.Cookie.HttpOnly = true;
        options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.LoginPath = "/signin";
        options.ExpireTimeSpan = TimeSpan.FromDays(14);
        options.SlidingExpiration = true;
    })
    // ClientId, ClientSecret, Scope and UserAgent come from Authentication:Schemes:Wikimedia (user-secrets or environment).
    .AddWikimedia(options =>
    {
        // Wikimedia's User-Agent policy: name your tool and say how to reach you.
        options.UserAgent ??= "WikimediaRazorApp/1.0 (https://example.org/contact)";
        options.AccessDeniedPath = "/signin-cancelled";
        options.Events.OnRemoteFailure = SignInFailure.HandleAsync;
    });

// Calls WikimediaApi:BaseAddress (appsettings.json) as the signed-in user, refreshing the token when it is due.
builder.Services.AddWikimediaApiClient();

// With no ClientId configured, sign in against the built-in Wikimedia emulator (Development only).
builder.AddWikimediaEmulatorWhenUnconfigured();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}

app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/signin", (HttpContext context, string? returnUrl) =>
{
    // Only local return URLs, never an open redirect.
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
});

app.MapRazorPages();
app.Run();
