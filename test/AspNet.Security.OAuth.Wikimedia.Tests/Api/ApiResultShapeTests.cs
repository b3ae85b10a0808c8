using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

/// <summary>
/// <c>WikimediaApiClient</c>'s contract: an answer that is not what the API documents is a failed result. A success
/// whose non-nullable members (<c>Key</c>, <c>Title</c>, <c>Latest</c>) are null passes the problem on to the app, which
/// trusts the types: the sample's article page dereferences <c>Latest</c>.
/// </summary>
public class ApiResultShapeTests
{
    private static EmulatorFault PageAnswer(string body) => new() { StatusCode = HttpStatusCode.OK, Body = body };

    [Theory]
    [InlineData("""{"id":9228,"key":"Earth","title":"Earth","latest":null}""")]
    [InlineData("""{"id":9228,"key":"Earth","title":"Earth"}""")]
    [InlineData("""{"id":9228}""")]
    [InlineData("""{}""")]
    public async Task A_page_answer_without_its_required_members_is_a_failed_result_not_a_success_holding_nulls(string body)
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, PageAnswer(body));

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.False(result.Succeeded && (result.Value!.Latest is null || result.Value.Title is null || result.Value.Key is null),
            $"{result.Status} with Latest={result.Value?.Latest}, Title={result.Value?.Title}, Key={result.Value?.Key}");
    }

    [Fact]
    public async Task The_samples_article_page_shows_a_problem_not_an_error_page_when_the_api_leaves_out_the_latest_revision()
    {
        using var sample = new SampleApp();
        using var browser = new TestBrowser();
        await browser.ConsentAsync(await browser.FollowAsync(new Uri(sample.BaseAddress, "/signin?returnUrl=%2F")));
        sample.Emulator.Faults.Add(EmulatorEndpoint.Api, PageAnswer("""{"id":9228,"key":"Earth","title":"Earth","latest":null}"""));

        using var article = await browser.GetAsync(new Uri(sample.BaseAddress, "/article?title=Earth"));

        Assert.Equal(HttpStatusCode.OK, article.StatusCode);
    }
}
