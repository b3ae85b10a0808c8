using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using AspNet.Security.OAuth.Wikimedia.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Emulator;

public class EmulatorSmokeTests
{
    [Fact]
    public async Task Encoded_titles_reach_the_page_route_intact()
    {
        using var emulator = WikimediaEmulator.Start();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "core/v1/wikipedia/en/page/AC%2FDC/bare");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "x");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("/core/v1/wikipedia/en/page/AC%2FDC/bare", emulator.Requests.Single().Path);
    }

    [Fact]
    public async Task The_journal_keeps_the_newest_requests_up_to_its_limit()
    {
        using var emulator = WikimediaEmulator.Start(o => o.MaxJournalEntries = 3);
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        for (var i = 0; i < 5; i++)
        {
            using var response = await http.GetAsync(new Uri($"nothing/{i}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(["/nothing/2", "/nothing/3", "/nothing/4"], emulator.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task A_request_that_a_fault_holds_is_in_the_journal_while_it_waits_and_once_after()
    {
        using var emulator = WikimediaEmulator.Start();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        emulator.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault { Delay = TimeSpan.FromSeconds(2), StatusCode = HttpStatusCode.BadGateway, Body = "held", ContentType = "text/plain", Headers = { ["Retry-After"] = "5" } });
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
        await WarmUpAsync(emulator, http);
        var clock = Stopwatch.StartNew();

        var held = http.PostAsync(new Uri(emulator.Authority + "/oauth2/access_token"), form);
        await WaitUntilAsync(() => emulator.TokenRequests.Count == 1);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"seen after {clock.Elapsed}, not before the answer");
        Assert.False(held.IsCompleted);
        Assert.Equal("client_credentials", emulator.TokenRequests.Single().Form["grant_type"]);
        using var response = await held;

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"answered after {clock.Elapsed}");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("held", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter!.Delta);
        Assert.Single(emulator.Requests);
    }

    [Fact]
    public async Task Clearing_the_journal_forgets_a_request_still_held_by_a_fault()
    {
        using var emulator = WikimediaEmulator.Start();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        emulator.Faults.Add(EmulatorEndpoint.Profile, EmulatorFault.Slow(TimeSpan.FromSeconds(2)));
        await WarmUpAsync(emulator, http);
        var clock = Stopwatch.StartNew();

        var held = http.GetAsync(new Uri(emulator.Authority + "/oauth2/resource/profile"));
        await WaitUntilAsync(() => emulator.Requests.Count == 1);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"seen after {clock.Elapsed}, not before the answer");
        emulator.ClearRequests();
        using (var answer = await held)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        using var after = await http.GetAsync(new Uri("after", UriKind.Relative));
        Assert.Equal(["/after"], emulator.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Stopping_answers_a_request_held_by_a_fault_at_once()
    {
        var emulator = WikimediaEmulator.Start();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        emulator.Faults.Add(EmulatorEndpoint.Token, EmulatorFault.Slow(TimeSpan.FromSeconds(30)));
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
        var held = http.PostAsync(new Uri(emulator.Authority + "/oauth2/access_token"), form);
        await WaitUntilAsync(() => emulator.TokenRequests.Count == 1);

        var clock = Stopwatch.StartNew();
        emulator.Dispose();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Dispose took {clock.Elapsed}");
        using var response = await held;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task A_journal_limit_of_zero_keeps_nothing()
    {
        using var emulator = WikimediaEmulator.Start(o => o.MaxJournalEntries = 0);
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        using var routed = await http.GetAsync(new Uri(emulator.Authority + "/oauth2/resource/profile"));
        using var unknown = await http.GetAsync(new Uri("nothing", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, routed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task Unknown_routes_get_the_edges_json_404_and_paths_are_case_sensitive()
    {
        using var emulator = WikimediaEmulator.Start();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        using var response = await http.GetAsync(new Uri(emulator.Authority + "/OAuth2/resource/profile"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"httpCode":404,"httpReason":"Not Found"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("/w/rest.php/OAuth2/resource/profile", emulator.Requests.Single().Path);
    }

    /// <summary>A first request, so that timings start with a warm server and connection; then an empty journal.</summary>
    private static async Task WarmUpAsync(WikimediaEmulator emulator, HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("warm-up", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        emulator.ClearRequests();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "timed out");
            await Task.Delay(10);
        }
    }
}
