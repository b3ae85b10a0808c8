using System.Security.Claims;
using System.Security.Cryptography;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks;

/// <summary>The sessions the in-memory pipelines are measured with, signed in outside the timing.</summary>
internal static class BenchmarkSession
{
    /// <summary>A real-size random access token (a 1 KB JWT): repeated characters would compress to nothing.</summary>
    public static string NewAccessToken() => "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(660));

    /// <summary>A real-size random refresh token (700 characters).</summary>
    public static string NewRefreshToken() => "def50200" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(346));

    /// <summary>
    /// Signs in, with the app's cookie scheme, the session a Wikimedia sign-in leaves (the tokens, issued and expiring as
    /// given, and the refresh marks unless <paramref name="wikimediaSession"/> is false), and returns its Cookie header.
    /// </summary>
    public static async Task<string> SignInAsync(IServiceScopeFactory scopes, DateTimeOffset issuedAt, DateTimeOffset expiresAt, bool wikimediaSession = true)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("bench.example");
        var properties = new AuthenticationProperties();
        var tokens = new WikimediaTokenResult
        {
            Status = WikimediaTokenStatus.Success,
            AccessToken = NewAccessToken(),
            RefreshToken = NewRefreshToken(),
            TokenType = "Bearer",
            IssuedAt = issuedAt,
            ExpiresAt = expiresAt,
        };
        SessionTokens.StoreSignIn(properties, WikimediaAuthenticationDefaults.AuthenticationScheme, tokens, TimeSpan.FromMinutes(5));
        if (!wikimediaSession)
        {
            properties.Items.Remove(SessionState.Item);
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "12345678"), new Claim(ClaimTypes.Name, "Example User")], "Wikimedia");
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity), properties);
        return context.Response.Headers.SetCookie.Single()!.Split(';')[0];
    }
}
