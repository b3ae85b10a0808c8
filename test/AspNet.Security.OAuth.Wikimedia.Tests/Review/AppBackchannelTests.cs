using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Review;

/// <summary>
/// docs/security.md: "the backchannel never follows a redirect (a 307 or 308 would post the secret, the code, the
/// verifier or the refresh token to the host it names)". Apps supply their own backchannel (a proxy, a shared client,
/// IHttpClientFactory); the secrets must not follow a redirect then either. Refusing, at start-up, a backchannel whose
/// redirect policy cannot be checked would also keep them: these tests accept that outcome.
/// </summary>
public class AppBackchannelTests
{
    private static EmulatorFault RedirectTo(WikimediaEmulator target, Func<EmulatorRequest, bool> when)
    {
        var fault = new EmulatorFault { StatusCode = HttpStatusCode.TemporaryRedirect, When = when };
        fault.Headers["Location"] = target.Authority + "/oauth2/access_token";
        return fault;
    }

    private static bool RefusedAtStartUp(Exception ex)
        => ex is OptionsValidationException or InvalidOperationException &&
           ex.Message.Contains(nameof(WikimediaAuthenticationOptions.Backchannel), StringComparison.Ordinal);

    [Fact]
    public async Task A_refresh_through_an_app_supplied_backchannel_never_posts_the_secret_or_the_refresh_token_to_a_redirect_target()
    {
        using var elsewhere = WikimediaEmulator.Start();
        RefreshFixture session;
        try
        {
            session = await RefreshFixture.SignedInAsync(configure: o => o.Backchannel = new HttpClient());
        }
        catch (Exception ex) when (RefusedAtStartUp(ex))
        {
            return;
        }

        await using (session)
        {
            session.Emulator.Faults.Add(EmulatorEndpoint.Token, RedirectTo(elsewhere, r => r.IsRefresh));
            session.Time.Advance(TimeSpan.FromHours(4) - TimeSpan.FromMinutes(2));

            using var response = await session.GetAsync("/me");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(elsewhere.Requests, r => r.Form.ContainsKey("client_secret") || r.Form.ContainsKey("refresh_token"));
            Assert.Empty(elsewhere.Requests);
        }
    }

    [Fact]
    public async Task A_sign_in_through_an_app_supplied_backchannel_never_posts_the_code_verifier_or_secret_to_a_redirect_target()
    {
        using var elsewhere = WikimediaEmulator.Start();
        using var emulator = WikimediaEmulator.Start();
        emulator.Faults.Add(EmulatorEndpoint.Token, RedirectTo(elsewhere, r => r.IsToken));
        TestApp app;
        try
        {
            app = await TestApp.StartAsync(emulator, o => o.Backchannel = new HttpClient());
        }
        catch (Exception ex) when (RefusedAtStartUp(ex))
        {
            return;
        }

        await using (app)
        {
            using var browser = new TestBrowser();

            using var landed = await browser.SignInAsync(app.BaseAddress);

            Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
            Assert.DoesNotContain(elsewhere.Requests, r => r.Form.ContainsKey("client_secret") || r.Form.ContainsKey("code_verifier"));
            Assert.Empty(elsewhere.Requests);
        }
    }
}
