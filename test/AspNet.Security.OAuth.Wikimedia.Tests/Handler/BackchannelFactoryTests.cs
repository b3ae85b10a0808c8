using System.Collections.Concurrent;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

/// <summary>
/// The backchannel's handlers come from the scheme's named <c>IHttpClientFactory</c> client, so that an app adds
/// resilience or telemetry the usual way, for sign-in and refresh alike.
/// </summary>
public class BackchannelFactoryTests
{
    private sealed class Recorder : DelegatingHandler
    {
        public ConcurrentQueue<string> Seen { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Enqueue(request.Method + " " + request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_handler_added_to_the_named_client_sees_the_code_exchange_the_profile_and_the_refresh()
    {
        var recorder = new Recorder();
        await using var session = await RefreshFixture.SignedInAsync(services: s => s
            .AddHttpClient(WikimediaAuthenticationDefaults.BackchannelHttpClientName(WikimediaAuthenticationDefaults.AuthenticationScheme))
            .AddHttpMessageHandler(() => recorder));

        session.Time.Advance(session.Lifetime);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/me")).StatusCode);

        Assert.Equal(
            ["POST /w/rest.php/oauth2/access_token", "GET /w/rest.php/oauth2/resource/profile", "POST /w/rest.php/oauth2/access_token"],
            recorder.Seen.ToArray());
        Assert.Single(session.Refreshes);
    }

    [Fact]
    public async Task Standard_resilience_on_the_named_client_retries_a_code_exchange_the_server_failed_with_503()
    {
        using var emulator = WikimediaEmulator.Start();
        emulator.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault { StatusCode = HttpStatusCode.ServiceUnavailable, Body = "<html>down</html>", Times = 1 });
        await using var app = await TestApp.StartAsync(emulator, services: s => s
            .AddHttpClient(WikimediaAuthenticationDefaults.BackchannelHttpClientName(WikimediaAuthenticationDefaults.AuthenticationScheme))
            .AddStandardResilienceHandler(o => o.Retry.Delay = TimeSpan.Zero));
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        Assert.Equal("Example User", me.Name);
        Assert.Equal(2, emulator.TokenRequests.Count);
        Assert.Empty(app.RemoteFailures);
    }

    [Fact]
    public void The_client_name_is_the_documented_one_and_needs_a_scheme()
    {
        Assert.Equal("AspNet.Security.OAuth.Wikimedia.Backchannel.Wiki2", WikimediaAuthenticationDefaults.BackchannelHttpClientName("Wiki2"));
        Assert.Throws<ArgumentException>(() => WikimediaAuthenticationDefaults.BackchannelHttpClientName(""));
    }
}
