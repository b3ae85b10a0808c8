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
}
