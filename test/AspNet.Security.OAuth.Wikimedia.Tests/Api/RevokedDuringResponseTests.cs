using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

/// <summary>
/// The API handler refreshes after a 401 wherever the app calls the API, also once the response has started (a
/// streamed page, a view that flushed). docs/token-refresh.md covers a refresh that succeeds then (log id 30, the
/// ledger); one that finds the grant revoked must not throw out of <c>WikimediaApiClient</c> either, whose contract is
/// to never throw for an answer of the API.
/// </summary>
public class RevokedDuringResponseTests
{
    [Fact]
    public async Task An_api_call_after_the_response_started_returns_a_result_when_the_refresh_finds_the_grant_revoked()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var emulator = WikimediaEmulator.Start(o => o.TimeProvider = time);
        await using var app = await TestApp.StartAsync(emulator,
            services: s => s.AddSingleton<TimeProvider>(time),
            endpoints: e => e.MapGet("/streamed", async (HttpContext context, WikimediaApiClient api) =>
            {
                await context.Response.WriteAsync("Your page: ");
                await context.Response.Body.FlushAsync();
                try
                {
                    var page = await api.GetPageAsync("wikipedia", "en", "Earth");
                    await context.Response.WriteAsync(page.Status.ToString());
                }
                catch (Exception ex)
                {
                    await context.Response.WriteAsync("threw " + ex.GetType().Name + ": " + ex.Message);
                }
            }));
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        // The user revokes the app on Special:OAuthManageMyGrants; the API gateway answers 401 (as it does for a token it
        // no longer accepts), and the refresh that follows gets invalid_grant.
        emulator.RevokeGrants("Example User");
        emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.Unauthorized, Body = """{"httpCode":401,"httpReason":"Jwt verification fails"}""" });
        time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);

        using var streamed = await browser.GetAsync(new Uri(app.BaseAddress, "/streamed"));

        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        Assert.Equal("Your page: Unauthorized", await streamed.Content.ReadAsStringAsync());
    }
}
