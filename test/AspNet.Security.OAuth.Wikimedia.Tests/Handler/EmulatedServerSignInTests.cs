using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

/// <summary>
/// Sign-in and the profile against both emulated servers: their redirects to and from the consent page, the
/// profile labelled <c>text/html</c> by 1.39, their Cancel, and the HTTP 500 of a token left with no grant.
/// </summary>
public class EmulatedServerSignInTests
{
    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task Sign_in_goes_through_the_servers_pages_and_reads_its_profile(EmulatedServer server)
    {
        using var emulator = WikimediaEmulator.Start(o => o.Server = server);
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress, "Alice Admin"));

        Assert.Equal(("23456789", "Alice Admin"), (me.Value(ClaimTypes.NameIdentifier), me.Name));
        Assert.Equal(server == EmulatedServer.MediaWiki139, browser.History.Any(u => u.Query.Contains("approval_pass=1", StringComparison.Ordinal)));
        var expiresIn = DateTimeOffset.Parse(me.Tokens["expires_at"], CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow;
        Assert.InRange(expiresIn, emulator.Options.AccessTokenLifetime - TimeSpan.FromMinutes(5), emulator.Options.AccessTokenLifetime);
        Assert.Empty(app.RemoteFailures);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task A_public_consumer_signs_in_with_pkce(EmulatedServer server)
    {
        using var emulator = WikimediaEmulator.Start(o => o.Server = server);
        await using var app = await TestApp.StartAsync(emulator, o => o.UseEmulator(emulator, WikimediaEmulatorOptions.DefaultPublicClientId));
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        Assert.Equal("Example User", me.Name);
        Assert.True(emulator.TokenRequests.Single().Form.ContainsKey("code_verifier"));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task Cancel_ends_at_the_access_denied_path_with_the_return_url(EmulatedServer server)
    {
        using var emulator = WikimediaEmulator.Start(o => o.Server = server);
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var consent = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));
        using var landed = await browser.ConsentAsync(consent, allow: false);

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("Access denied. Return: /me", await landed.Content.ReadAsStringAsync());
        Assert.Empty(app.RemoteFailures);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task A_scope_the_consumer_lacks_fails_the_sign_in_as_insufficient_scope_before_the_profiles_500(EmulatedServer server)
    {
        using var emulator = WikimediaEmulator.Start(o => o.Server = server);
        // editpage is a grant, but not one the emulator's consumer registered: the token carries none.
        await using var app = await TestApp.StartAsync(emulator, o => o.Scope.Add("editpage"));
        using var browser = new TestBrowser();

        using var landed = await browser.SignInAsync(app.BaseAddress);

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.Single(app.RemoteFailures);
        Assert.Equal("insufficient_scope", failure.Data["error"]);
        Assert.Contains("granted none of the requested scopes (editpage)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Authentication:Schemes:Wikimedia:Scope", failure.Message, StringComparison.Ordinal);
        // The token's own scopes claim said so: the profile, which would answer 500, is not even asked.
        Assert.DoesNotContain(emulator.Requests, r => r.IsProfile);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task A_scope_granted_in_part_signs_in_and_the_log_names_what_is_missing(EmulatedServer server)
    {
        using var emulator = WikimediaEmulator.Start(o => o.Server = server);
        await using var app = await TestApp.StartAsync(emulator, o =>
        {
            o.Scope.Add("basic");
            o.Scope.Add("editpage");
        });
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        Assert.Equal("Example User", me.Name);
        var warning = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 9 && l.Category == typeof(WikimediaAuthenticationHandler).FullName);
        Assert.Contains("'editpage'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("'basic'", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task The_api_client_reads_the_profile_whatever_its_content_type(EmulatedServer server)
    {
        await using var session = await RefreshFixture.SignedInAsync(server: server);

        using var response = await session.GetAsync("/api/profile");
        var result = (await response.Content.ReadFromJsonAsync<WikimediaApiResult<WikimediaProfile>>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.Equal(("12345678", "Example User"), (result.Value!.Id, result.Value.Username));
    }
}
