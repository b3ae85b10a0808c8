using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Emulator;

/// <summary>
/// An emulator of either server on a fake clock, and the raw HTTP a browser and a client send it: for the tests that
/// compare what the two servers answer.
/// </summary>
public sealed class EmulatorHarness : IDisposable
{
    public const string Callback = "http://127.0.0.1:5555/signin-wikimedia";

    private EmulatorHarness(EmulatedServer server, Action<WikimediaEmulatorOptions>? configure)
    {
        Emulator = WikimediaEmulator.Start(o =>
        {
            o.TimeProvider = Time;
            o.Server = server;
            configure?.Invoke(o);
        });
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public WikimediaEmulator Emulator { get; }

    public TestBrowser Browser { get; } = new();

    public HttpClient Http { get; } = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

    public static EmulatorHarness Start(EmulatedServer server, Action<WikimediaEmulatorOptions>? configure = null) => new(server, configure);

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (verifier, WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static Dictionary<string, string?> AuthorizeParameters(string? challenge, string clientId = WikimediaEmulatorOptions.DefaultClientId, string? scope = null) => new()
    {
        ["response_type"] = "code",
        ["client_id"] = clientId,
        ["redirect_uri"] = Callback,
        ["state"] = "xyz",
        ["scope"] = scope,
        ["code_challenge"] = challenge,
        ["code_challenge_method"] = challenge is null ? null : "S256",
    };

    public Uri AuthorizeUrl(IDictionary<string, string?> parameters)
        => new(QueryHelpers.AddQueryString(Emulator.Authority + "/oauth2/authorize", parameters.Where(p => p.Value is not null).ToDictionary()));

    /// <summary>Follows the wiki's redirects until the page shown, or the redirect to the client's callback.</summary>
    public async Task<HttpResponseMessage> UntilCallbackAsync(HttpResponseMessage response)
    {
        while ((int)response.StatusCode is >= 300 and < 400 && !response.Headers.Location!.ToString().StartsWith(Callback, StringComparison.Ordinal))
        {
            var next = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location);
            response.Dispose();
            response = await Browser.GetAsync(next);
        }

        return response;
    }

    /// <summary>Authorizes through the consent page as a user who clicks Allow (or Cancel); returns the callback's query.</summary>
    public async Task<Dictionary<string, string>> AuthorizeAsync(string? challenge, string clientId = WikimediaEmulatorOptions.DefaultClientId, string? scope = null, bool allow = true)
    {
        using var page = await UntilCallbackAsync(await Browser.GetAsync(AuthorizeUrl(AuthorizeParameters(challenge, clientId, scope))));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var redirect = await UntilCallbackAsync(await Browser.SendAsync(await TestBrowser.ConsentRequestAsync(page, allow: allow)));
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        return QueryHelpers.ParseQuery(redirect.Headers.Location!.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public async Task<string> CodeAsync(string? challenge, string clientId = WikimediaEmulatorOptions.DefaultClientId, string? scope = null)
    {
        var query = await AuthorizeAsync(challenge, clientId, scope);
        Assert.Equal("xyz", query["state"]);
        return query["code"];
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> TokenAsync(params (string Name, string? Value)[] form)
    {
        using var content = new FormUrlEncodedContent(form.Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string>(f.Name, f.Value!)));
        using var response = await Http.PostAsync(new Uri(Emulator.Authority + "/oauth2/access_token"), content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> ExchangeAsync(string code, string? verifier, string clientId = WikimediaEmulatorOptions.DefaultClientId, string? secret = WikimediaEmulatorOptions.DefaultClientSecret)
        => TokenAsync(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Callback), ("code_verifier", verifier), ("client_id", clientId), ("client_secret", secret));

    public Task<(HttpStatusCode Status, JsonElement Body)> RefreshAsync(string refreshToken, string clientId = WikimediaEmulatorOptions.DefaultClientId, string? secret = WikimediaEmulatorOptions.DefaultClientSecret)
        => TokenAsync(("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", clientId), ("client_secret", secret));

    /// <summary>Signs in as the confidential client with PKCE; returns the token answer.</summary>
    public async Task<JsonElement> TokensAsync(string? scope = null)
    {
        var (verifier, challenge) = Pkce();
        var (status, body) = await ExchangeAsync(await CodeAsync(challenge, scope: scope), verifier);
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    /// <summary>GETs a route of the emulator with a Bearer token; returns the status, the media type and the body.</summary>
    public async Task<(HttpStatusCode Status, string? MediaType, string Body)> GetAsync(string pathAndQuery, string? accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Emulator.BaseAddress, pathAndQuery.TrimStart('/')));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        using var response = await Http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The claims of an access token (the emulator's JWTs carry them in the clear, as Wikimedia's do).</summary>
    public static JsonElement Claims(string accessToken)
        => JsonDocument.Parse(WebEncoders.Base64UrlDecode(accessToken.Split('.')[1])).RootElement.Clone();

    public void Dispose()
    {
        Http.Dispose();
        Browser.Dispose();
        Emulator.Dispose();
    }
}
