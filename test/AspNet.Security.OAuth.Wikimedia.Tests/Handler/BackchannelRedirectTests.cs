using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

/// <summary>
/// A redirect from the token endpoint would make a client that follows it post the secret, the code, the PKCE
/// verifier or the refresh token again, to whatever host it names.
/// </summary>
public class BackchannelRedirectTests
{
    private static EmulatorFault RedirectTo(WikimediaEmulator target, HttpStatusCode status, string path)
    {
        var fault = new EmulatorFault { StatusCode = status };
        fault.Headers["Location"] = target.Authority + path;
        return fault;
    }

    [Theory]
    [InlineData(HttpStatusCode.TemporaryRedirect, EmulatorEndpoint.Token, "token endpoint")]
    [InlineData(HttpStatusCode.PermanentRedirect, EmulatorEndpoint.Token, "token endpoint")]
    [InlineData(HttpStatusCode.Found, EmulatorEndpoint.Profile, "profile endpoint")]
    public async Task A_redirect_at_sign_in_is_a_failure_naming_the_endpoint_and_nothing_reaches_its_target(HttpStatusCode status, EmulatorEndpoint endpoint, string named)
    {
        using var elsewhere = WikimediaEmulator.Start();
        using var emulator = WikimediaEmulator.Start();
        emulator.Faults.Add(endpoint, RedirectTo(elsewhere, status, endpoint == EmulatorEndpoint.Token ? "/oauth2/access_token" : "/oauth2/resource/profile"));
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        using var landed = await browser.SignInAsync(app.BaseAddress);

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.Single(app.RemoteFailures);
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
        Assert.Contains($"HTTP {(int)status}", failure.Message, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task A_redirect_at_refresh_keeps_the_session_and_sends_nothing_to_its_target()
    {
        using var elsewhere = WikimediaEmulator.Start();
        await using var session = await RefreshFixture.SignedInAsync();
        var signIn = await session.MeAsync();
        var redirect = RedirectTo(elsewhere, HttpStatusCode.PermanentRedirect, "/oauth2/access_token");
        redirect.When = r => r.IsRefresh;
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, redirect);
        session.Time.Advance(TimeSpan.FromHours(4) - TimeSpan.FromMinutes(2));

        var me = await session.MeAsync();

        Assert.Equal(signIn.Tokens["access_token"], me.Tokens["access_token"]);
        Assert.Empty(elsewhere.Requests);
        Assert.Contains(session.App.Logs.GetSnapshot(), l => l.Id.Id == 21 && l.Message.Contains("HTTP 308", StringComparison.Ordinal));
    }
}
