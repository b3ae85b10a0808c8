using System.Net;
using System.Net.Sockets;
using AngleSharp.Html.Parser;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Hostile;

/// <summary>
/// The sample attacked on purpose, one table per surface. Each case asserts a precise outcome (status, page or
/// redirect, log entry), that nothing answered 500, and that no token or secret reached the page.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private const string Expired = "The sign-in took too long or was started in another browser window. Please start again.";
    private const string WikimediaDown = "Wikimedia could not complete the sign-in just now. Please try again in a moment.";
    private readonly SampleApp _app;
    private readonly TestBrowser _browser = new();

    public HostileInputTests()
    {
        _app = new SampleApp();
    }

    public void Dispose()
    {
        _browser.Dispose();
        _app.Dispose();
    }

    private Uri At(string path) => new(_app.BaseAddress, path);

    private static async Task<(HttpStatusCode Status, string Path, string Body)> Read(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("eyJ0eXAi", body, StringComparison.Ordinal);
        Assert.DoesNotContain("def50200", body, StringComparison.Ordinal);
        Assert.DoesNotContain(WikimediaEmulatorOptions.DefaultClientSecret, body, StringComparison.Ordinal);
        return (response.StatusCode, response.RequestMessage!.RequestUri!.AbsolutePath, body);
    }

    private static string Text(string html, string selector) => new HtmlParser().ParseDocument(html).QuerySelector(selector)?.TextContent ?? "";

    private bool Logged(string fragment) => _app.Logs.GetSnapshot().Any(l => l.Message.Contains(fragment, StringComparison.Ordinal));

    // ---- Callback ----

    [Fact]
    public async Task Callback_without_state_or_code_ends_on_the_failure_page()
    {
        var (status, path, body) = await Read(await _browser.FollowAsync(At("/signin-wikimedia")));

        Assert.Equal((HttpStatusCode.OK, "/signin-failed"), (status, path));
        Assert.Equal(Expired, Text(body, "#failed"));
        Assert.True(Logged("Wikimedia sign-in failed: The oauth state was missing or invalid."));
    }

    [Fact]
    public async Task Callback_with_a_state_from_another_browser_fails_correlation()
    {
        using var attacker = new TestBrowser();
        var callback = await attacker.AllowWithoutReturningAsync(_app.BaseAddress);

        var (status, path, body) = await Read(await _browser.FollowAsync(callback));

        Assert.Equal((HttpStatusCode.OK, "/signin-failed"), (status, path));
        Assert.Equal(Expired, Text(body, "#failed"));
        Assert.True(Logged("Wikimedia sign-in failed: Correlation failed."));
        Assert.DoesNotContain(_app.Emulator.Requests, r => r.IsToken);
    }

    [Fact]
    public async Task Callback_with_a_tampered_state_fails()
    {
        var callback = await _browser.AllowWithoutReturningAsync(_app.BaseAddress);
        var query = QueryHelpers.ParseQuery(callback.Query);
        var state = query["state"].ToString();
        var tampered = state[..^4] + (state[^4] == 'A' ? 'B' : 'A') + state[^3..];

        var (status, path, body) = await Read(await _browser.FollowAsync(At($"/signin-wikimedia?code={query["code"]}&state={Uri.EscapeDataString(tampered)}")));

        Assert.Equal((HttpStatusCode.OK, "/signin-failed"), (status, path));
        Assert.Equal(Expired, Text(body, "#failed"));
        Assert.True(Logged("Wikimedia sign-in failed: The oauth state was missing or invalid."));
    }

    [Fact]
    public async Task Callback_with_a_replayed_code_fails_at_the_token_endpoint()
    {
        var callback = await _browser.AllowWithoutReturningAsync(_app.BaseAddress);
        var cookies = _browser.Cookies.GetAllCookies();
        await Read(await _browser.FollowAsync(callback));
        _browser.Cookies.Add(cookies);

        var (status, path, body) = await Read(await _browser.FollowAsync(callback));

        Assert.Equal((HttpStatusCode.OK, "/signin-failed"), (status, path));
        Assert.Equal(WikimediaDown, Text(body, "#failed"));
        Assert.True(Logged("invalid_grant"));
    }

    [Fact]
    public async Task Callback_error_description_with_a_script_never_reaches_a_page_unencoded()
    {
        using var challenge = await _browser.GetAsync(At("/signin?returnUrl=%2F"));
        var state = QueryHelpers.ParseQuery(challenge.Headers.Location!.Query)["state"].ToString();
        const string Script = "<script>alert('xss')</script>";

        var (status, path, body) = await Read(await _browser.FollowAsync(
            At($"/signin-wikimedia?state={Uri.EscapeDataString(state)}&error=invalid_request&error_description={Uri.EscapeDataString(Script)}")));

        Assert.Equal((HttpStatusCode.OK, "/signin-failed"), (status, path));
        Assert.DoesNotContain(Script, body, StringComparison.Ordinal);
        Assert.Equal(WikimediaDown, Text(body, "#failed"));
    }

    [Fact]
    public async Task A_script_in_the_cancel_pages_return_url_is_encoded()
    {
        const string Script = "/\"><script>alert(1)</script>";

        var (status, _, body) = await Read(await _browser.FollowAsync(At("/signin-cancelled?ReturnUrl=" + Uri.EscapeDataString(Script))));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("<script>alert(1)</script>", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(6_000, HttpStatusCode.OK)]                     // within Kestrel's limits: a state that does not decrypt
    [InlineData(20_000, HttpStatusCode.RequestUriTooLong)]     // beyond the 8 KB request line: Kestrel refuses it
    public async Task Oversized_callback_parameters_are_refused_cleanly(int length, HttpStatusCode expected)
    {
        var state = new string('A', length);

        using var response = await _browser.FollowAsync(At($"/signin-wikimedia?code={new string('c', 100)}&state={state}"));
        var (status, _, body) = await Read(response);

        Assert.Equal(expected, status);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(Expired, Text(body, "#failed"));
        }
    }

    // ---- Return URLs ----

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/\t/evil.example")]
    public async Task Return_urls_only_lead_to_this_site(string returnUrl)
    {
        var consent = await _browser.FollowAsync(At("/signin?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        var (status, path, body) = await Read(await _browser.ConsentAsync(consent));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(_app.BaseAddress.Authority, _browser.History[^1].Authority);
        Assert.Equal("Example User", Text(body, "#username"));
        Assert.Equal("/", path);

        // Signed in already: the same link redirects locally too.
        using var again = await _browser.GetAsync(At("/signin?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal("/", again.Headers.Location!.OriginalString);
    }

    // ---- Sign-out ----

    [Fact]
    public async Task Sign_out_by_get_or_without_the_antiforgery_token_is_refused()
    {
        var signedIn = await _browser.ConsentAsync(await _browser.FollowAsync(At("/signin?returnUrl=%2F")));
        var token = new HtmlParser().ParseDocument(await signedIn.Content.ReadAsStringAsync())
            .QuerySelector("form[action='/signout'] input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        using var byGet = await _browser.GetAsync(At("/signout"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, byGet.StatusCode);

        using var withoutToken = await _browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, At("/signout")) { Content = new FormUrlEncodedContent([]) });
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);

        using var forged = await _browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, At("/signout")) { Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token[..^3] + "xyz")]) });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        using var stillSignedIn = await _browser.GetAsync(At("/profile"));
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);

        using var signOut = await _browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, At("/signout")) { Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token)]) });
        var (_, _, body) = await Read(await _browser.FollowRedirectsAsync(signOut));
        Assert.Equal("You are signed out.", Text(body, "#signed-out"));
        using var profile = await _browser.GetAsync(At("/profile"));
        Assert.Equal(HttpStatusCode.Found, profile.StatusCode);
    }

    // ---- Session cookie ----

    public static TheoryData<string, Func<string, string>> CookieAttacks => new()
    {
        { "tampered", value => value[..^6] + (value[^6] == 'A' ? "B" : "A") + value[^5..] },
        { "truncated", value => value[..(value.Length / 2)] },
        { "garbage", _ => "not-a-ticket" },
        { "empty", _ => "" },
    };

    [Theory]
    [MemberData(nameof(CookieAttacks))]
    public async Task A_damaged_session_cookie_is_anonymous_not_an_error(string name, Func<string, string> damage)
    {
        Assert.NotNull(name);
        await _browser.ConsentAsync(await _browser.FollowAsync(At("/signin?returnUrl=%2F")));
        var session = _browser.Cookies.GetAllCookies().Single(c => c.Name == "__Host-wikimedia-sample");
        session.Value = damage(session.Value);

        await AssertAnonymousAsync();
    }

    [Fact]
    public async Task A_session_cookie_from_another_key_ring_is_anonymous()
    {
        using var other = new SampleApp(b => b.ConfigureServices(s => s.AddDataProtection().SetApplicationName("another-app")));
        using var otherBrowser = new TestBrowser();
        await otherBrowser.ConsentAsync(await otherBrowser.FollowAsync(new Uri(other.BaseAddress, "/signin?returnUrl=%2F")));
        var foreign = otherBrowser.Cookies.GetAllCookies().Single(c => c.Name == "__Host-wikimedia-sample");
        _browser.Cookies.Add(new System.Net.Cookie(foreign.Name, foreign.Value, "/", _app.BaseAddress.Host));

        await AssertAnonymousAsync();
    }

    private async Task AssertAnonymousAsync()
    {
        using var profile = await _browser.GetAsync(At("/profile"));
        Assert.Equal(HttpStatusCode.Found, profile.StatusCode);
        Assert.Equal("/signin", profile.Headers.Location!.AbsolutePath);

        var (status, _, body) = await Read(await _browser.GetAsync(At("/")));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Sign in with Wikimedia", Text(body, "#signin"));
    }

    // ---- Token and profile endpoints ----

    public static TheoryData<string, EmulatorEndpoint, Func<EmulatorFault>, string> EndpointAttacks => new()
    {
        { "token: not JSON", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = "<html>hello</html>", ContentType = "text/html" }, "token endpoint" },
        { "token: wrong JSON types", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"access_token":["a"],"token_type":7,"expires_in":"x"}""" }, "unusable token response" },
        { "token: 10 MB body", EmulatorEndpoint.Token, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = new string(' ', 10 * 1024 * 1024) + "{}" }, "could not be reached or its answer could not be read" },
        { "profile: not JSON", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = "Welcome!", ContentType = "text/plain" }, "profile endpoint" },
        { "profile: wrong JSON types", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"sub":[1,2],"username":{}}""" }, "without a 'sub' string or number" },
        { "profile: 10 MB body", EmulatorEndpoint.Profile, () => new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = "{\"sub\":\"1\",\"pad\":\"" + new string('x', 10 * 1024 * 1024) + "\"}" }, "could not be reached or its answer could not be read" },
    };

    [Theory]
    [MemberData(nameof(EndpointAttacks))]
    public async Task Hostile_token_and_profile_answers_end_on_the_failure_page(string name, EmulatorEndpoint endpoint, Func<EmulatorFault> fault, string logged)
    {
        Assert.NotNull(name);
        _app.Emulator.Faults.Add(endpoint, fault());

        var (status, path, body) = await Read(await _browser.ConsentAsync(await _browser.FollowAsync(At("/signin?returnUrl=%2F"))));

        Assert.Equal((HttpStatusCode.OK, "/signin-failed"), (status, path));
        Assert.Equal(WikimediaDown, Text(body, "#failed"));
        Assert.True(Logged("Wikimedia sign-in failed: The Wikimedia " + (endpoint == EmulatorEndpoint.Token ? "token" : "profile")), name);
        Assert.True(Logged(logged), name);
    }

    [Fact]
    public async Task A_token_endpoint_slower_than_the_backchannel_timeout_ends_on_the_failure_page()
    {
        using var app = new SampleApp(b => b.UseSetting("Authentication:Schemes:Wikimedia:BackchannelTimeout", "00:00:00.5"));
        app.Emulator.Faults.Add(EmulatorEndpoint.Token, EmulatorFault.Slow(TimeSpan.FromSeconds(30)));
        using var browser = new TestBrowser();

        var (status, path, _) = await Read(await browser.ConsentAsync(await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2F"))));

        Assert.Equal((HttpStatusCode.OK, "/signin-failed"), (status, path));
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Message.Contains("did not answer within 0.5 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_endpoint_refusing_connections_ends_on_the_failure_page()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var app = new SampleApp(b => b.UseSetting("Authentication:Schemes:Wikimedia:TokenEndpoint", $"http://127.0.0.1:{port}/w/rest.php/oauth2/access_token"));
        using var browser = new TestBrowser();

        var (status, path, _) = await Read(await browser.ConsentAsync(await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2F"))));

        Assert.Equal((HttpStatusCode.OK, "/signin-failed"), (status, path));
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Message.Contains("could not be reached", StringComparison.Ordinal));
    }

    // ---- API ----

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, "Wikimedia asks us to slow down. Please try again in 30 seconds.")]
    [InlineData(HttpStatusCode.NotFound, "The wiki has no page called “Earth”.")]
    [InlineData(HttpStatusCode.BadGateway, "Wikimedia could not be reached just now. Please try again in a moment.")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "Wikimedia could not be reached just now. Please try again in a moment.")]
    public async Task Api_errors_from_the_edge_show_friendly_messages(HttpStatusCode status, string message)
    {
        await _browser.ConsentAsync(await _browser.FollowAsync(At("/signin?returnUrl=%2F")));
        _app.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault
        {
            StatusCode = status,
            ContentType = "text/html; charset=utf-8",
            Body = "<!DOCTYPE html><html><body><h1>Wikimedia Error</h1></body></html>",
            Headers = { ["Retry-After"] = "30" },
        });

        var (code, path, body) = await Read(await _browser.GetAsync(At("/article?title=Earth")));

        Assert.Equal((HttpStatusCode.OK, "/article"), (code, path));
        Assert.Equal(message, Text(body, "#article-error"));
        Assert.Single(_app.Emulator.Requests, r => r.Path.StartsWith("/core/", StringComparison.Ordinal));
    }
}
