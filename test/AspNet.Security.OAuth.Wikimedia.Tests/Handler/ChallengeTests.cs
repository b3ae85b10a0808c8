using System.Net;
using System.Security.Cryptography;
using System.Text;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

public class ChallengeTests
{
    private static async Task<(Uri Location, HttpResponseMessage Response)> ChallengeAsync(TestApp app, TestBrowser browser)
    {
        var response = await browser.GetAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return (response.Headers.Location!, response);
    }

    [Fact]
    public async Task Challenge_url_carries_code_flow_parameters_the_exact_redirect_uri_state_and_an_S256_challenge()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var (location, _) = await ChallengeAsync(app, browser);
        var query = QueryHelpers.ParseQuery(location.Query);

        Assert.Equal(emulator.Authority + "/oauth2/authorize", location.GetLeftPart(UriPartial.Path));
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(WikimediaEmulatorOptions.DefaultClientId, query["client_id"]);
        Assert.Equal(new Uri(app.BaseAddress, "/signin-wikimedia").ToString(), query["redirect_uri"]);
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", query["code_challenge"].ToString());
        Assert.False(query.ContainsKey("scope"), "No scope by default: Wikimedia then grants what the consumer registered.");
    }

    [Fact]
    public async Task Additional_authorization_parameters_of_the_options_are_sent_as_with_the_base_handler()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, o => o.AdditionalAuthorizationParameters["uselang"] = "de");
        using var browser = new TestBrowser();

        var (location, _) = await ChallengeAsync(app, browser);

        Assert.Equal("de", QueryHelpers.ParseQuery(location.Query)["uselang"]);
        Assert.Equal("Example User", (await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress))).Name);
    }

    [Fact]
    public async Task Configured_scopes_are_sent_space_separated()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, o =>
        {
            o.Scope.Add("basic");
            o.Scope.Add("editpage");
        });
        using var browser = new TestBrowser();

        var (location, _) = await ChallengeAsync(app, browser);

        Assert.Equal("basic editpage", QueryHelpers.ParseQuery(location.Query)["scope"]);
    }

    [Fact]
    public async Task Without_pkce_no_challenge_is_sent_and_no_verifier_follows()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, o => o.UsePkce = false);
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        Assert.Equal("Example User", me.Name);
        var authorize = emulator.Requests.First(r => r.Path.EndsWith("/authorize", StringComparison.Ordinal));
        Assert.False(authorize.Query.ContainsKey("code_challenge"));
        Assert.False(emulator.TokenRequests.Single().Form.ContainsKey("code_verifier"));
    }

    [Fact]
    public async Task The_verifier_sent_to_the_token_endpoint_hashes_to_the_challenge()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        var challenge = emulator.Requests.First(r => r.Path.EndsWith("/authorize", StringComparison.Ordinal)).Query["code_challenge"];
        var verifier = emulator.TokenRequests.Single().Form["code_verifier"];
        Assert.Equal(challenge, WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    [Fact]
    public async Task The_pending_state_cookie_is_httponly_secure_and_scoped_to_the_callback()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var (_, response) = await ChallengeAsync(app, browser);

        var cookies = response.Headers.GetValues("Set-Cookie").ToArray();
        Assert.Equal(2, cookies.Length);
        Assert.All(cookies, c =>
        {
            Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/signin-wikimedia", c, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.Correlation.Wikimedia.State.", StringComparison.Ordinal));
    }
}
