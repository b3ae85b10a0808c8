using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;
using AspNet.Security.OAuth.Wikimedia.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

public class ApiClientTests
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static async Task<WikimediaApiResult<T>> CallAsync<T>(RefreshFixture session, string path)
    {
        using var response = await session.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<WikimediaApiResult<T>>(Json))!;
    }

    internal static EmulatorRequest[] ApiRequests(RefreshFixture session) => session.Emulator.Requests.Where(r => r.Path.StartsWith("/core/", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task Page_metadata_is_fetched_with_the_users_bearer_token_and_the_user_agent()
    {
        await using var session = await RefreshFixture.SignedInAsync(configure: o => o.UserAgent = "ApiTest/1.0 (ops@example.org)");
        var token = (await session.MeAsync()).Tokens["access_token"];

        var result = await CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.Equal(9228, result.Value!.Id);
        Assert.Equal("Earth", result.Value.Title);
        Assert.Equal(1262236514, result.Value.Latest.Id);
        Assert.Equal(new DateTimeOffset(new WikimediaEmulatorOptions().Pages.Single(p => p.Title == "Earth").LatestRevisionTimestamp), result.Value.Latest.Timestamp);
        Assert.Equal("Creative Commons Attribution-Share Alike 4.0", result.Value.License!.Title);
        var request = Assert.Single(ApiRequests(session));
        Assert.Equal("Bearer " + token, request.Header("Authorization"));
        Assert.Equal("ApiTest/1.0 (ops@example.org)", request.Header("User-Agent"));
    }

    [Theory]
    [InlineData("AC/DC", "/core/v1/wikipedia/en/page/AC%2FDC/bare", WikimediaApiStatus.Success)]
    [InlineData("Zürich", "/core/v1/wikipedia/en/page/Z%C3%BCrich/bare", WikimediaApiStatus.Success)]
    [InlineData("No such page here", "/core/v1/wikipedia/en/page/No_such_page_here/bare", WikimediaApiStatus.NotFound)]
    // "&" is sent as %26; .NET's Uri hands it to the server as "&", which means the same in a path.
    [InlineData("What? #1 & 50%", "/core/v1/wikipedia/en/page/What%3F_%231_&_50%25/bare", WikimediaApiStatus.NotFound)]
    public async Task Titles_are_escaped_and_reach_the_emulator_intact(string title, string expectedPath, WikimediaApiStatus expected)
    {
        await using var session = await RefreshFixture.SignedInAsync();

        var result = await CallAsync<WikimediaPage>(session, "/api/page?title=" + Uri.EscapeDataString(title));

        Assert.Equal(expected, result.Status);
        Assert.Equal(expectedPath, Assert.Single(ApiRequests(session)).Path);
        if (expected == WikimediaApiStatus.Success)
        {
            Assert.Equal(title, result.Value!.Title);
        }
    }

    [Fact]
    public async Task A_401_leads_to_one_refresh_and_one_retry_with_the_new_token()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var before = (await session.MeAsync()).Tokens["access_token"];
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.Unauthorized, Body = """{"httpCode":401,"httpReason":"Jwt is expired"}""", Times = 1 });

        using var response = await session.GetAsync("/api/page?title=Earth");
        var result = (await response.Content.ReadFromJsonAsync<WikimediaApiResult<WikimediaPage>>(Json))!;

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.Single(session.Refreshes);
        var calls = ApiRequests(session);
        Assert.Equal(2, calls.Length);
        Assert.Equal("Bearer " + before, calls[0].Header("Authorization"));
        Assert.NotEqual(calls[0].Header("Authorization"), calls[1].Header("Authorization"));
        // The refreshed tokens were saved: the cookie was re-issued and later requests use them.
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Cookies=", StringComparison.Ordinal));
        Assert.Equal(calls[1].Header("Authorization"), "Bearer " + (await session.MeAsync()).Tokens["access_token"]);
    }

    [Fact]
    public async Task A_401_that_persists_after_the_refresh_is_not_retried_again()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.Unauthorized, Body = """{"httpCode":401,"httpReason":"Jwt is expired"}""" });

        var result = await CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Unauthorized, result.Status);
        Assert.Equal(2, ApiRequests(session).Length);
        Assert.Single(session.Refreshes);
    }

    [Fact]
    public async Task A_429_becomes_a_result_with_retry_after_and_no_retry()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault
        {
            StatusCode = HttpStatusCode.TooManyRequests,
            ContentType = "text/html",
            Body = "<html><body>Too many requests</body></html>",
            Headers = { ["Retry-After"] = "120" },
        });

        var result = await CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.RateLimited, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(120), result.RetryAfter);
        Assert.Single(ApiRequests(session));
    }

    [Fact]
    public async Task An_html_error_page_from_the_edge_is_a_failure_not_an_exception()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, EmulatorFault.HtmlError(HttpStatusCode.BadGateway));

        var result = await CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Failed, result.Status);
        Assert.Equal(HttpStatusCode.BadGateway, result.StatusCode);
    }

    [Fact]
    public async Task A_malformed_success_body_is_a_failure_not_an_exception()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"id":"not a number"}""" });

        var result = await CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Failed, result.Status);
        Assert.Contains("not the expected JSON", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_grant_is_forbidden()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.RevokeGrants("Example User");

        var result = await CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Forbidden, result.Status);
    }

    [Fact]
    public async Task An_anonymous_user_gets_a_clear_result_and_nothing_is_sent()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        using var response = await browser.GetAsync(new Uri(app.BaseAddress, "/api/page?title=Earth"));
        var result = (await response.Content.ReadFromJsonAsync<WikimediaApiResult<WikimediaPage>>(Json))!;

        Assert.Equal(WikimediaApiStatus.NotAuthenticated, result.Status);
        Assert.Equal(WikimediaTokenStatus.NotAuthenticated, result.TokenStatus);
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task Search_and_profile_are_typed()
    {
        await using var session = await RefreshFixture.SignedInAsync();

        var search = await CallAsync<WikimediaSearchResults>(session, "/api/search?q=planet");
        var profile = await CallAsync<WikimediaProfile>(session, "/api/profile");

        Assert.Equal("Earth", Assert.Single(search.Value!.Pages).Title);
        Assert.Equal("q=planet&limit=5", ApiRequests(session).Single().Query.Select(p => $"{p.Key}={p.Value}").Aggregate((a, b) => a + "&" + b));
        Assert.Equal(("12345678", "Example User"), (profile.Value!.Id, profile.Value.Username));
        Assert.Equal(["user", "autoconfirmed"], profile.Value.Groups);
    }

    [Fact]
    public async Task The_token_on_demand_is_the_current_one_and_refreshes_when_asked()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var me = await session.MeAsync();

        var current = await session.TokenAsync();
        Assert.Equal(("Success", me.Tokens["access_token"]), (current.Status, current.AccessToken));

        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        var forced = await session.TokenAsync(force: true);
        Assert.Equal("Success", forced.Status);
        Assert.NotEqual(me.Tokens["access_token"], forced.AccessToken);
        Assert.Equal(forced.AccessToken, (await session.MeAsync()).Tokens["access_token"]);
    }

    [Fact]
    public async Task Any_http_client_can_call_the_per_wiki_api_as_the_user()
    {
        await using var session = await RefreshFixture.SignedInAsync(configure: o => o.UserAgent = "PerWiki/1.0 (ops@example.org)");
        var token = (await session.MeAsync()).Tokens["access_token"];

        using var response = await session.GetAsync("/api/perwiki?title=Earth");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(9228, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32());
        var call = session.Emulator.Requests.Single(r => r.Path == "/w/rest.php/v1/page/Earth/bare");
        Assert.Equal("Bearer " + token, call.Header("Authorization"));
        Assert.Equal("PerWiki/1.0 (ops@example.org)", call.Header("User-Agent"));
    }
}
