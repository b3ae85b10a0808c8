using AspNet.Security.OAuth.Wikimedia;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using WikimediaBlazorSample.Client;
using WikimediaBlazorSample.Components;
using WikimediaSample;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents()
    .AddInteractiveWebAssemblyComponents()
    // The WebAssembly page learns who is signed in (name and roles), never a token.
    .AddAuthenticationStateSerialization();
// The user of every render mode: the cookie's in HTTP requests, the circuit's (captured when it connected) in
// interactive components. Tokens stay on the server either way (docs/app-models.md).
builder.Services.AddCascadingAuthenticationState();

builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.Cookie.Name = "__Host-wikimedia-blazor";
        options.Cookie.HttpOnly = true;
        options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.LoginPath = "/signin";
        options.ExpireTimeSpan = TimeSpan.FromDays(14);
        options.SlidingExpiration = true;
        // The endpoints that the WebAssembly page calls answer 401, not a redirect to Wikimedia's sign-in page.
        options.Events.OnRedirectToLogin = context =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            }

            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        };
    })
    // ClientId, ClientSecret, Scope and UserAgent come from Authentication:Schemes:Wikimedia.
    .AddWikimedia(options =>
    {
        options.UserAgent ??= "AspNet.Security.OAuth.Wikimedia.BlazorSample/1.0 (https://github.com/aspnet-security-oauth-wikimedia/AspNet.Security.OAuth.Wikimedia)";
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

// The WebAssembly page's way to Wikimedia: this endpoint runs on the server, in the user's HTTP request, where the
// cookie's token is refreshed when due; the browser gets page facts only.
app.MapGet("/api/article", async (string? title, WikimediaApiClient api, CancellationToken cancellationToken) =>
{
    title = string.IsNullOrWhiteSpace(title) ? "Earth" : title.Trim();
    if (title.Length > 255)
    {
        return Results.BadRequest();
    }

    var result = await api.GetPageAsync(title, cancellationToken);
    return result.Status switch
    {
        WikimediaApiStatus.Success => Results.Ok(new ArticleSummary(result.Value!.Title, result.Value.Id, result.Value.Latest.Id)),
        WikimediaApiStatus.NotFound => Results.NotFound(),
        WikimediaApiStatus.RateLimited => Results.StatusCode(StatusCodes.Status429TooManyRequests),
        WikimediaApiStatus.NotAuthenticated or WikimediaApiStatus.Unauthorized => Results.Unauthorized(),
        _ => Results.StatusCode(StatusCodes.Status502BadGateway),
    };
}).RequireAuthorization();

app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode()
    .AddInteractiveWebAssemblyRenderMode()
    .AddAdditionalAssemblies(typeof(ArticleSummary).Assembly);
app.Run();

/// <summary>The sample's entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
