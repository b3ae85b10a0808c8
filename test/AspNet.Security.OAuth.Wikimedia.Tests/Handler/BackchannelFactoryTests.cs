using System.Collections.Concurrent;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

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

    [Theory]
    [InlineData(EmulatorEndpoint.Token, "token endpoint (*/oauth2/access_token)")]
    [InlineData(EmulatorEndpoint.Profile, "profile endpoint (*/oauth2/resource/profile)")]
    public async Task A_time_out_of_the_standard_resilience_handler_at_sign_in_is_a_failure_naming_the_endpoint_with_the_return_url(EmulatorEndpoint endpoint, string named)
    {
        // The resilience handler the docs recommend for this client fails a slow endpoint with Polly's own exception
        // (TimeoutRejectedException), not an HttpRequestException: it must still be a sign-in failure like any other.
        using var emulator = WikimediaEmulator.Start();
        emulator.Faults.Add(endpoint, EmulatorFault.Slow(TimeSpan.FromSeconds(30)));
        var returnUrls = new ConcurrentQueue<string?>();
        await using var app = await TestApp.StartAsync(
            emulator,
            o =>
            {
                var recordFailure = o.Events.OnRemoteFailure;
                o.Events.OnRemoteFailure = context =>
                {
                    returnUrls.Enqueue(context.Properties?.RedirectUri);
                    return recordFailure(context);
                };
            },
            services: s => s
                .AddHttpClient(WikimediaAuthenticationDefaults.BackchannelHttpClientName(WikimediaAuthenticationDefaults.AuthenticationScheme))
                .AddStandardResilienceHandler(o =>
                {
                    o.Retry.DisableForUnsafeHttpMethods();
                    o.Retry.MaxRetryAttempts = 1;
                    o.Retry.Delay = TimeSpan.Zero;
                    o.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(200);
                    o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(1);
                }));
        using var browser = new TestBrowser();

        using var landed = await browser.SignInAsync(app.BaseAddress, returnUrl: "/me?tab=edits");

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.IsAssignableFrom<Microsoft.AspNetCore.Authentication.AuthenticationFailureException>(Assert.Single(app.RemoteFailures));
        Assert.True(
            System.IO.Enumeration.FileSystemName.MatchesSimpleExpression("*" + named + "*", failure.Message, ignoreCase: false),
            $"'{failure.Message}' does not name the {endpoint} endpoint.");
        Assert.Equal("/me?tab=edits", Assert.Single(returnUrls));
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 5 && l.Message.Contains(failure.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_client_name_is_the_documented_one_and_needs_a_scheme()
    {
        Assert.Equal("AspNet.Security.OAuth.Wikimedia.Backchannel.Wiki2", WikimediaAuthenticationDefaults.BackchannelHttpClientName("Wiki2"));
        Assert.Throws<ArgumentException>(() => WikimediaAuthenticationDefaults.BackchannelHttpClientName(""));
    }
}
