using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using WikimediaSample;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorPages(options =>
{
    options.Conventions.AuthorizePage("/Profile");
    options.Conventions.AuthorizePage("/Article");
    options.Conventions.AuthorizePage("/Sandbox");
});

builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.Cookie.Name = "__Host-wikimedia-sample";
        options.Cookie.HttpOnly = true;
        options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.LoginPath = "/signin";
        options.ExpireTimeSpan = TimeSpan.FromDays(14);
        options.SlidingExpiration = true;
    })
    // Everything else (ClientId, ClientSecret, Scope, UserAgent) comes from Authentication:Schemes:Wikimedia.
    .AddWikimedia(options =>
    {
        // Runs after configuration binding: a configured UserAgent wins.
        options.UserAgent ??= SampleUserAgent.Value;
        options.AccessDeniedPath = "/signin-cancelled";
        options.Events.OnRemoteFailure = SignInFailure.HandleAsync;
    });

// Calls the wiki of WikimediaApi:BaseAddress as the signed-in user: {root}v1/... for a wiki's REST root such as
// https://en.wikipedia.org/w/rest.php/, or core/v1/{Project}/{Language}/... on the gateway (the default).
builder.Services.AddWikimediaApiClient();

// With no ClientId configured, sign in against the built-in emulator instead of the real Wikimedia.
builder.AddWikimediaEmulatorWhenUnconfigured();

// With ConnectionStrings:Redis set, Data Protection keys, sessions and refresh coordination live in Redis (a farm).
builder.AddRedisFarmWhenConfigured();

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
});

app.MapRazorPages();
app.Run();

/// <summary>The sample's entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
