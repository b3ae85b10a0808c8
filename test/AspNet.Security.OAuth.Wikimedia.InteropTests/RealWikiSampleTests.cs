using System.Net;
using AngleSharp.Html.Parser;
using AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests;

/// <summary>The sample, configured for the real wiki, over HTTP.</summary>
[Collection(RealWikiGroup.Name)]
public sealed class RealWikiSampleTests(RealWiki wiki)
{
    [Fact]
    public async Task A_scope_the_consumer_lacks_is_reported_as_a_configuration_problem_not_as_a_retry()
    {
        using var sample = new InteropSample(wiki, wiki.Consumer(ConsumerKind.Identity), scope: "basic");
        using var person = new WikiBrowser(wiki);

        using var landed = await person.SignInAsync(InteropSample.BaseAddress, wiki.Alice, returnUrl: "/");
        var message = new HtmlParser().ParseDocument(await landed.Content.ReadAsStringAsync()).QuerySelector("#failed")!.TextContent;

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("/signin-failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("registration on Wikimedia does not have", message, StringComparison.Ordinal);
        Assert.DoesNotContain("try again in a moment", message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task With_no_scope_the_identity_consumer_signs_in_to_the_sample()
    {
        using var sample = new InteropSample(wiki, wiki.Consumer(ConsumerKind.Identity));
        using var person = new WikiBrowser(wiki);

        using var home = await person.SignInAsync(InteropSample.BaseAddress, wiki.Alice, returnUrl: "/");

        Assert.Equal(wiki.Alice.User, new HtmlParser().ParseDocument(await home.Content.ReadAsStringAsync()).QuerySelector("#username")!.TextContent);
    }
}
