using System.Net;
using System.Net.Sockets;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

/// <summary>
/// Every way the token and profile endpoints can fail ends at the app's failure page (never a 500), as an
/// <see cref="AuthenticationFailureException"/> that names the endpoint and the status and holds no token.
/// </summary>
public class BackchannelFailureTests
{
    public static TheoryData<string, EmulatorEndpoint, Func<EmulatorFault>, string> Faults => new()
    {
        { "token 500 HTML", EmulatorEndpoint.Token, () => EmulatorFault.HtmlError(HttpStatusCode.InternalServerError), "token endpoint (*/oauth2/access_token) answered HTTP 500" },
        { "token 503 JSON", EmulatorEndpoint.Token, () => EmulatorFault.OAuthError(HttpStatusCode.ServiceUnavailable, "server_error"), "answered HTTP 503 Service Unavailable: server_error" },
        { "token 401 invalid_client", EmulatorEndpoint.Token, () => EmulatorFault.OAuthError(HttpStatusCode.Unauthorized, "invalid_client", "Client authentication failed"), "answered HTTP 401 Unauthorized: invalid_client (Client authentication failed)" },
        { "token 200 not JSON", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = "<html>oops</html>", ContentType = "text/html" }, "answered HTTP 200 with a body that is not a JSON object" },
        { "token 200 JSON array", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = "[1,2]" }, "answered HTTP 200 with a body that is not a JSON object" },
        { "token 200 without access_token", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"token_type":"Bearer","expires_in":14400}""" }, "unusable token response: no access_token string" },
        { "token 200 access_token number", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"token_type":"Bearer","access_token":12345}""" }, "unusable token response: no access_token string" },
        { "token 200 wrong token_type", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"token_type":"MAC","access_token":"abc"}""" }, "token_type is not Bearer" },
        { "token 200 expires_in text", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"token_type":"Bearer","access_token":"abc","expires_in":"soon"}""" }, "expires_in is not a positive number" },
        { "token 200 over 1 MiB", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = "{\"pad\":\"" + new string('x', 2 * 1024 * 1024) + "\"}" }, "could not be reached or its answer could not be read" },
        { "profile 401 expired", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.Unauthorized, Body = """{"httpCode":401,"httpReason":"Jwt is expired"}""" }, "profile endpoint (*/oauth2/resource/profile) answered HTTP 401" },
        { "profile 403", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.Forbidden, Body = """{"httpCode":403,"httpReason":"Forbidden"}""" }, "profile endpoint (*/oauth2/resource/profile) answered HTTP 403" },
        { "profile 502 HTML", EmulatorEndpoint.Profile, () => EmulatorFault.HtmlError(HttpStatusCode.BadGateway), "profile endpoint (*/oauth2/resource/profile) answered HTTP 502" },
        { "profile 200 not JSON", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = "Not JSON at all", ContentType = "text/plain" }, "answered HTTP 200 with a body that is not a JSON object" },
        { "profile 200 without sub", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"username":"Nobody"}""" }, "without a 'sub' string or number" },
        { "profile 200 sub object", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"sub":{"id":1}}""" }, "without a 'sub' string or number" },
        { "profile 200 sub null", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"sub":null,"username":"Nobody"}""" }, "without a 'sub' string or number" },
        { "profile 200 sub empty", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"sub":"","username":"Nobody"}""" }, "without a 'sub' string or number" },
        { "profile 200 sub boolean", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"sub":true,"username":"Nobody"}""" }, "without a 'sub' string or number" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Endpoint_faults_end_as_a_clean_failure_naming_the_endpoint(string name, EmulatorEndpoint endpoint, Func<EmulatorFault> fault, string expected)
    {
        Assert.NotNull(name);
        using var emulator = WikimediaEmulator.Start();
        emulator.Faults.Add(endpoint, fault());
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var landed = await browser.SignInAsync(app.BaseAddress);

        AssertFailedCleanly(app, landed, expected);
    }

    [Theory]
    [InlineData(EmulatorEndpoint.Token, "token endpoint (*/oauth2/access_token) did not answer within 0.3 s")]
    [InlineData(EmulatorEndpoint.Profile, "profile endpoint (*/oauth2/resource/profile) did not answer within 0.3 s")]
    public async Task An_endpoint_slower_than_the_backchannel_timeout_fails_cleanly(EmulatorEndpoint endpoint, string expected)
    {
        using var emulator = WikimediaEmulator.Start();
        emulator.Faults.Add(endpoint, EmulatorFault.Slow(TimeSpan.FromSeconds(30)));
        await using var app = await TestApp.StartAsync(emulator, o => o.BackchannelTimeout = TimeSpan.FromMilliseconds(300));
        using var browser = new TestBrowser();

        var landed = await browser.SignInAsync(app.BaseAddress);

        AssertFailedCleanly(app, landed, expected);
    }

    [Fact]
    public async Task A_token_endpoint_refusing_connections_fails_cleanly()
    {
        using var emulator = WikimediaEmulator.Start();
        var closedPort = ClosedLoopbackPort();
        await using var app = await TestApp.StartAsync(emulator, o => o.TokenEndpoint = $"http://127.0.0.1:{closedPort}/w/rest.php/oauth2/access_token");
        using var browser = new TestBrowser();

        var landed = await browser.SignInAsync(app.BaseAddress);

        AssertFailedCleanly(app, landed, $"token endpoint (http://127.0.0.1:{closedPort}/w/rest.php/oauth2/access_token) could not be reached");
    }

    private static void AssertFailedCleanly(TestApp app, HttpResponseMessage landed, string expected)
    {
        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.IsAssignableFrom<AuthenticationFailureException>(Assert.Single(app.RemoteFailures));
        var pattern = "*" + expected + "*";
        Assert.True(
            System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, failure.Message, ignoreCase: false),
            $"'{failure.Message}' does not match '{pattern}'.");
        Assert.DoesNotContain("eyJ", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("def50200", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WikimediaEmulatorOptions.DefaultClientSecret, failure.Message, StringComparison.Ordinal);
        // The failure is logged once, by the handler, with its reason.
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 5 && l.Message.Contains(failure.Message, StringComparison.Ordinal));
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
