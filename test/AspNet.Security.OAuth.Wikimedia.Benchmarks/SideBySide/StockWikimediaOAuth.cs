using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.DependencyInjection;
using static AspNet.Security.OAuth.Wikimedia.WikimediaAuthenticationConstants;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks.SideBySide;

/// <summary>
/// Wikimedia sign-in as an app would write it on Microsoft's stock <see cref="OAuthHandler{TOptions}"/>: PKCE and
/// SaveTokens on, an <c>OnCreatingTicket</c> that fetches the profile and runs claim actions mapping the same claims
/// as <see cref="WikimediaAuthenticationOptions"/>' defaults (the benchmark checks that both sessions hold the same
/// claims), and a User-Agent as Wikimedia's policy asks. None of the Wikimedia handler's checks (token answer
/// validation, Cancel without state, pending-sign-in cookies, refresh bookkeeping, compressed cookie).
/// </summary>
internal static class StockWikimediaOAuth
{
    public const string UserAgent = "SideBySideBenchmark/1.0 (ops@example.org)";

    public static void Add(AuthenticationBuilder authentication, WikimediaEmulator emulator, HttpMessageHandler backchannel)
    {
        var client = emulator.Client();
        authentication.AddOAuth(SideBySideApp.Scheme, o =>
        {
            o.ClientId = client.ClientId;
            o.ClientSecret = client.ClientSecret!;
            o.AuthorizationEndpoint = emulator.Authority + Paths.Authorize;
            o.TokenEndpoint = emulator.Authority + Paths.AccessToken;
            o.UserInformationEndpoint = emulator.Authority + Paths.Profile;
            o.CallbackPath = "/signin-wikimedia";
            o.ClaimsIssuer = WikimediaAuthenticationDefaults.Issuer;
            o.UsePkce = true;
            o.SaveTokens = true;
            o.BackchannelHttpHandler = backchannel;

            o.ClaimActions.MapJsonKey(ClaimTypes.NameIdentifier, "sub");
            o.ClaimActions.MapJsonKey(ClaimTypes.Name, "username");
            o.ClaimActions.MapCustomJson(ClaimTypes.Email, ClaimValueTypes.Email, user =>
                user.TryGetProperty("confirmed_email", out var confirmed) && confirmed.ValueKind == JsonValueKind.True ? user.GetString("email") : null);
            o.ClaimActions.MapJsonKey(ClaimTypes.Role, "groups");
            o.ClaimActions.MapJsonKey(Claims.EditCount, "editcount", ClaimValueTypes.Integer);
            o.ClaimActions.MapCustomJson(Claims.Registered, ClaimValueTypes.DateTime, user =>
                DateTime.TryParseExact(user.GetString("registered"), "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
                    ? date.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                    : null);
            o.ClaimActions.MapCustomJson(Claims.Blocked, ClaimValueTypes.Boolean, user => Boolean(user, "blocked"));
            o.ClaimActions.MapCustomJson(Claims.ConfirmedEmail, ClaimValueTypes.Boolean, user => Boolean(user, "confirmed_email"));

            o.Events.OnCreatingTicket = async context =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, context.Options.UserInformationEndpoint);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
                using var response = await context.Backchannel.SendAsync(request, HttpCompletionOption.ResponseContentRead, context.HttpContext.RequestAborted);
                response.EnsureSuccessStatusCode();
                using var user = JsonDocument.Parse(await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted));
                context.RunClaimActions(user.RootElement);

                // Wikimedia lists "*", the group of everyone, among the groups: not a role worth a claim.
                if (context.Identity?.FindFirst(c => c.Type == ClaimTypes.Role && c.Value == "*") is { } everyone)
                {
                    context.Identity.RemoveClaim(everyone);
                }
            };
        });

        // Wikimedia's User-Agent policy, for the token request too (the stock default names only the handler).
        authentication.Services.PostConfigure<OAuthOptions>(SideBySideApp.Scheme, o =>
        {
            o.Backchannel.DefaultRequestHeaders.UserAgent.Clear();
            o.Backchannel.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", UserAgent);
        });
    }

    private static string? Boolean(JsonElement user, string key)
        => user.TryGetProperty(key, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.ValueKind == JsonValueKind.True ? "true" : "false"
            : null;

    private static string? GetString(this JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
