using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

public class CallbackErrorTests
{
    private static async Task<string> BodyOf(HttpResponseMessage response) => await response.Content.ReadAsStringAsync();

    [Fact]
    public async Task Cancel_on_the_consent_page_ends_at_the_access_denied_path_with_the_return_url()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var consent = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));
        var landed = await browser.ConsentAsync(consent, allow: false);

        // The emulator sent the Cancel quirk: error=unauthorized_client and no state.
        var callback = browser.History.Single(u => u.AbsolutePath == "/signin-wikimedia");
        var query = QueryHelpers.ParseQuery(callback.Query);
        Assert.Equal("unauthorized_client", query["error"]);
        Assert.False(query.ContainsKey("state"));

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("/denied", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("Access denied. Return: /me", await BodyOf(landed));
        Assert.Empty(app.RemoteFailures);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), l => l.Message.Contains("state was missing", StringComparison.Ordinal));
        // The Cancel named no sign-in, so it spent nothing (docs/security.md, "Cancel without state"); the browser signs
        // in again at once.
        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));
        Assert.Equal("Example User", me.Name);
    }

    [Fact]
    public async Task Cancel_invokes_OnAccessDenied_which_can_handle_it()
    {
        using var emulator = WikimediaEmulator.Start();
        AccessDeniedContext? seen = null;
        await using var app = await TestApp.StartAsync(emulator, o => o.Events.OnAccessDenied = context =>
        {
            seen = context;
            context.Response.Redirect("/?cancelled=1");
            context.HandleResponse();
            return Task.CompletedTask;
        });
        using var browser = new TestBrowser();

        var consent = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));
        var landed = await browser.ConsentAsync(consent, allow: false);

        Assert.NotNull(seen);
        Assert.Equal("/me", seen.Properties!.RedirectUri);
        Assert.Equal("/?cancelled=1", landed.RequestMessage!.RequestUri!.PathAndQuery);
        Assert.Equal("Anonymous", await BodyOf(landed));
    }

    [Fact]
    public async Task An_error_without_state_from_a_browser_with_no_sign_in_under_way_is_still_access_denied()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var landed = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin-wikimedia?error=unauthorized_client&error_description=User+has+rejected+the+request+from+client+application"));

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("Access denied. Return: ", await BodyOf(landed));
    }

    [Fact]
    public async Task Without_an_access_denied_path_a_cancel_is_a_remote_failure_carrying_the_error()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, o => o.AccessDeniedPath = default);
        using var browser = new TestBrowser();

        var consent = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));
        var landed = await browser.ConsentAsync(consent, allow: false);

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.IsType<AuthenticationFailureException>(Assert.Single(app.RemoteFailures));
        Assert.Equal("unauthorized_client", failure.Data["error"]);
        Assert.Equal("User has rejected the request from client application", failure.Data["error_description"]);
    }

    [Fact]
    public async Task An_error_with_state_is_a_remote_failure_with_error_and_description()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, o => o.Scope.Add("no-such-grant"));
        using var browser = new TestBrowser();

        var landed = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.Single(app.RemoteFailures);
        Assert.Equal("invalid_scope", failure.Data["error"]);
        Assert.Equal("The requested scope is invalid, unknown, or malformed", failure.Data["error_description"]);
    }

    [Fact]
    public async Task An_error_with_state_keeps_error_uri_and_the_return_url_as_the_base_handler_does()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, o => o.AccessDeniedPath = default);
        using var browser = new TestBrowser();
        var callback = await browser.AllowWithoutReturningAsync(app.BaseAddress);
        var state = QueryHelpers.ParseQuery(callback.Query)["state"].ToString();

        var landed = await browser.FollowAsync(new Uri(app.BaseAddress,
            $"/signin-wikimedia?error=temporarily_unavailable&error_description=Try+later&error_uri=https%3A%2F%2Fexample.org%2Fhelp&state={Uri.EscapeDataString(state)}"));

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.Single(app.RemoteFailures);
        Assert.Equal(("temporarily_unavailable", "Try later", "https://example.org/help"), (failure.Data["error"] as string, failure.Data["error_description"] as string, failure.Data["error_uri"] as string));
        Assert.Empty(emulator.TokenRequests);
    }

    [Theory]
    [InlineData("/signin-wikimedia?code=abc")]
    [InlineData("/signin-wikimedia?code=abc&state=tampered")]
    [InlineData("/signin-wikimedia")]
    public async Task A_missing_or_tampered_state_fails_cleanly(string callback)
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var landed = await browser.FollowAsync(new Uri(app.BaseAddress, callback));

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("The oauth state was missing or invalid.", Assert.Single(app.RemoteFailures).Message);
        Assert.Empty(emulator.TokenRequests);
    }

    [Fact]
    public async Task A_state_replayed_in_another_browser_fails_correlation()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var victim = new TestBrowser();
        using var attacker = new TestBrowser();

        var callback = await attacker.AllowWithoutReturningAsync(app.BaseAddress);

        var landed = await victim.FollowAsync(callback);

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("Correlation failed.", Assert.Single(app.RemoteFailures).Message);
        Assert.Empty(emulator.TokenRequests);
    }

    [Fact]
    public async Task A_replayed_code_is_refused_by_the_token_endpoint_and_fails_cleanly()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var callback = await browser.AllowWithoutReturningAsync(app.BaseAddress, "/me");
        var cookiesBeforeCallback = browser.Cookies.GetAllCookies();
        await MeResponse.ReadAsync(await browser.FollowAsync(callback));

        // Same browser, same correlation cookie, same code: only the code's single use stops it.
        browser.Cookies.Add(cookiesBeforeCallback);
        var landed = await browser.FollowAsync(callback);

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.Single(app.RemoteFailures);
        Assert.Equal("invalid_grant", failure.Data["error"]);
        Assert.Equal(2, emulator.TokenRequests.Count);
    }
}
