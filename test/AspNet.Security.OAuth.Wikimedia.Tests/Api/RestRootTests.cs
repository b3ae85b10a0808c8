using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

/// <summary>
/// <see cref="WikimediaApiClient"/> against a wiki's REST root and against the gateway. The app's code is the same
/// in both (the /api/wiki/... routes of TestApp); only WikimediaApiOptions.BaseAddress differs.
/// </summary>
public class RestRootTests
{
    private static EmulatorRequest[] ApiRequests(RefreshFixture session) => session.Emulator.Requests
        .Where(r => r.Path.StartsWith("/core/", StringComparison.Ordinal) || r.Path.StartsWith("/w/rest.php/v1/", StringComparison.Ordinal))
        .ToArray();

    private static Task<RefreshFixture> AgainstRestRootAsync(Action<WikimediaAuthenticationOptions>? configure = null, Action<WikimediaApiOptions>? api = null)
        => RefreshFixture.SignedInAsync(configure: configure, api: (emulator, o) =>
        {
            o.BaseAddress = emulator.RestApiBaseAddress;
            api?.Invoke(o);
        });

    [Theory]
    [InlineData(false, "/core/v1/wikipedia/en/page/AC%2FDC/bare")]
    [InlineData(true, "/w/rest.php/v1/page/AC%2FDC/bare")]
    public async Task The_same_call_reads_a_page_from_the_gateway_or_from_a_rest_root(bool restRoot, string expectedPath)
    {
        await using var session = await RefreshFixture.SignedInAsync(api: (emulator, o) => o.BaseAddress = restRoot ? emulator.RestApiBaseAddress : emulator.ApiBaseAddress);

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/wiki/page?title=AC%2FDC");

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.Equal((18944L, "AC/DC"), (result.Value!.Id, result.Value.Title));
        Assert.Equal(expectedPath, Assert.Single(ApiRequests(session)).Path);
    }

    [Fact]
    public async Task A_rest_root_gets_v1_page_below_it_with_the_users_token_and_user_agent_whatever_project_and_language_say()
    {
        // A REST root serves one wiki: Project and Language, which would pick French Wiktionary on the gateway,
        // must not leak into its routes.
        await using var session = await AgainstRestRootAsync(o => o.UserAgent = "RestRoot/1.0 (ops@example.org)", o => (o.Project, o.Language) = ("wiktionary", "fr"));
        var token = (await session.MeAsync()).Tokens["access_token"];

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/wiki/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.Equal((9228L, "Earth", 1262236514L), (result.Value!.Id, result.Value.Title, result.Value.Latest.Id));
        var request = Assert.Single(ApiRequests(session));
        Assert.Equal("/w/rest.php/v1/page/Earth/bare", request.Path);
        Assert.Equal("Bearer " + token, request.Header("Authorization"));
        Assert.Equal("RestRoot/1.0 (ops@example.org)", request.Header("User-Agent"));
    }

    [Theory]
    [InlineData("  Zürich ", "/w/rest.php/v1/page/Z%C3%BCrich/bare", WikimediaApiStatus.Success)]
    [InlineData("No such page here", "/w/rest.php/v1/page/No_such_page_here/bare", WikimediaApiStatus.NotFound)]
    // "&" is sent as %26; .NET's Uri hands it to the server as "&", which means the same in a path.
    [InlineData("What? #1 & 50%", "/w/rest.php/v1/page/What%3F_%231_&_50%25/bare", WikimediaApiStatus.NotFound)]
    public async Task Titles_below_a_rest_root_are_escaped_as_on_the_gateway(string title, string expectedPath, WikimediaApiStatus expected)
    {
        await using var session = await AgainstRestRootAsync();

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/wiki/page?title=" + Uri.EscapeDataString(title));

        Assert.Equal(expected, result.Status);
        Assert.Equal(expectedPath, Assert.Single(ApiRequests(session)).Path);
    }

    [Theory]
    [InlineData("w/rest.php/")]
    [InlineData("w/rest.php")]
    public async Task A_rest_root_with_or_without_its_trailing_slash_gets_the_same_routes(string root)
    {
        await using var session = await RefreshFixture.SignedInAsync(api: (emulator, o) => o.BaseAddress = new Uri(emulator.BaseAddress + root));

        var page = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/wiki/page?title=Earth");
        var search = await ApiClientTests.CallAsync<WikimediaSearchResults>(session, "/api/wiki/search?q=planet&limit=5");

        Assert.Equal((WikimediaApiStatus.Success, WikimediaApiStatus.Success), (page.Status, search.Status));
        Assert.Equal(["/w/rest.php/v1/page/Earth/bare", "/w/rest.php/v1/search/page"], ApiRequests(session).Select(r => r.Path));
    }

    [Fact]
    public async Task A_rest_root_is_searched_at_v1_search_page_with_the_query_escaped()
    {
        await using var session = await AgainstRestRootAsync();

        var result = await ApiClientTests.CallAsync<WikimediaSearchResults>(session, "/api/wiki/search?q=" + Uri.EscapeDataString("rock band & co?") + "&limit=3");
        var found = await ApiClientTests.CallAsync<WikimediaSearchResults>(session, "/api/wiki/search?q=rock%20band&limit=3");

        Assert.Empty(result.Value!.Pages);
        Assert.Equal("AC/DC", Assert.Single(found.Value!.Pages).Title);
        var requests = ApiRequests(session);
        Assert.All(requests, r => Assert.Equal("/w/rest.php/v1/search/page", r.Path));
        Assert.Equal(("rock band & co?", "3"), (requests[0].Query["q"], requests[0].Query["limit"]));
        Assert.Equal(2, requests[0].Query.Count);
    }

    [Fact]
    public async Task The_answers_of_a_real_mediawiki_1_39_rest_root_are_read()
    {
        // Bodies as MediaWiki 1.39 (test/realwiki) answered them with a "basic" token: a licence of empty strings
        // when the wiki sets none, html_url from the title with %20, nulls in search results, and "matched_title"
        // and "thumbnail", which the client does not read.
        const string Page = """{"id":1,"key":"Main_Page","title":"Main Page","latest":{"id":1,"timestamp":"2026-11-29T04:55:09Z"},"content_model":"wikitext","license":{"url":"","title":""},"html_url":"http://127.0.0.1:8095/w/rest.php/v1/page/Main%20Page/html"}""";
        const string Search = """{"pages":[{"id":1,"key":"Main_Page","title":"Main Page","excerpt":null,"matched_title":null,"description":null,"thumbnail":null}]}""";
        await using var session = await AgainstRestRootAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = Page, Times = 1, When = r => r.Path.EndsWith("/bare", StringComparison.Ordinal) });
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = Search, Times = 1, When = r => r.Path.EndsWith("/search/page", StringComparison.Ordinal) });

        var page = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/wiki/page?title=Main%20Page");
        var search = await ApiClientTests.CallAsync<WikimediaSearchResults>(session, "/api/wiki/search?q=Main&limit=5");

        Assert.Equal(WikimediaApiStatus.Success, page.Status);
        Assert.Equal(new WikimediaPage(1, "Main_Page", "Main Page", new WikimediaRevision(1, new DateTimeOffset(2026, 11, 29, 4, 55, 9, TimeSpan.Zero)), "wikitext",
            new WikimediaLicense("", ""), "http://127.0.0.1:8095/w/rest.php/v1/page/Main%20Page/html"), page.Value);
        Assert.Equal(WikimediaApiStatus.Success, search.Status);
        Assert.Equal(new WikimediaSearchPage(1, "Main_Page", "Main Page", null, null), Assert.Single(search.Value!.Pages));
    }

    [Fact]
    public async Task On_the_gateway_the_calls_of_the_configured_wiki_use_project_and_language()
    {
        await using var session = await RefreshFixture.SignedInAsync(
            emulatorOptions: o => o.Pages.Add(new EmulatorPage { Language = "de", Id = 2497, Title = "Erde", LatestRevisionId = 7, Description = "Dritter Planet des Sonnensystems" }),
            api: (_, o) => o.Language = "de");

        var page = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/wiki/page?title=Erde");
        // English Wikipedia's Earth matches "planet" too: only German Wikipedia may be searched.
        var search = await ApiClientTests.CallAsync<WikimediaSearchResults>(session, "/api/wiki/search?q=planet&limit=5");

        Assert.Equal(2497, page.Value!.Id);
        Assert.Equal("Erde", Assert.Single(search.Value!.Pages).Title);
        Assert.Equal(["/core/v1/wikipedia/de/page/Erde/bare", "/core/v1/wikipedia/de/search/page"], ApiRequests(session).Select(r => r.Path));
    }

    [Fact]
    public async Task Against_a_rest_root_the_calls_that_name_a_wiki_throw_and_send_nothing()
    {
        await using var session = await AgainstRestRootAsync();
        using var scope = session.App.Services.CreateScope();
        var api = scope.ServiceProvider.GetRequiredService<WikimediaApiClient>();

        var page = await Assert.ThrowsAsync<InvalidOperationException>(() => api.GetPageAsync("wikipedia", "de", "Erde"));
        var search = await Assert.ThrowsAsync<InvalidOperationException>(() => api.SearchPagesAsync("wikipedia", "de", "Erde"));

        Assert.Contains("Call GetPageAsync(title)", page.Message, StringComparison.Ordinal);
        Assert.Contains("Call SearchPagesAsync(query, limit)", search.Message, StringComparison.Ordinal);
        Assert.Empty(ApiRequests(session));
    }

    [Fact]
    public async Task A_401_from_a_rest_root_leads_to_one_refresh_and_one_retry_at_the_same_route()
    {
        await using var session = await AgainstRestRootAsync();
        var before = (await session.MeAsync()).Tokens["access_token"];
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.Unauthorized, Body = """{"httpCode":401,"httpReason":"Jwt is expired"}""", Times = 1 });

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/wiki/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.Single(session.Refreshes);
        var calls = ApiRequests(session);
        Assert.Equal(["/w/rest.php/v1/page/Earth/bare", "/w/rest.php/v1/page/Earth/bare"], calls.Select(c => c.Path));
        Assert.Equal("Bearer " + before, calls[0].Header("Authorization"));
        Assert.Equal("Bearer " + (await session.MeAsync()).Tokens["access_token"], calls[1].Header("Authorization"));
        Assert.NotEqual(calls[0].Header("Authorization"), calls[1].Header("Authorization"));
    }

    [Fact]
    public async Task A_429_from_a_rest_root_is_rate_limited_with_retry_after_and_no_retry()
    {
        await using var session = await AgainstRestRootAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault
        {
            StatusCode = HttpStatusCode.TooManyRequests,
            ContentType = "text/html",
            Body = "<html><body>Too many requests</body></html>",
            Headers = { ["Retry-After"] = "90" },
        });

        var result = await ApiClientTests.CallAsync<WikimediaSearchResults>(session, "/api/wiki/search?q=planet&limit=5");

        Assert.Equal((WikimediaApiStatus.RateLimited, TimeSpan.FromSeconds(90)), (result.Status, result.RetryAfter));
        Assert.Single(ApiRequests(session));
    }
}
