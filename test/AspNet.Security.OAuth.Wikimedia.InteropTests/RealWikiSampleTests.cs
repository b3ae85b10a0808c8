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

    [Fact]
    public async Task The_samples_article_page_reads_the_real_wikis_rest_api_with_only_the_base_address_changed()
    {
        using var sample = new InteropSample(wiki, wiki.Consumer(ConsumerKind.Basic));
        using var person = new WikiBrowser(wiki);
        using var home = await person.SignInAsync(InteropSample.BaseAddress, wiki.Alice, returnUrl: "/");

        using var article = await person.Browser.GetAsync(new Uri(InteropSample.BaseAddress, "/article?title=Main%20Page"));
        var page = new HtmlParser().ParseDocument(await article.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, article.StatusCode);
        Assert.Equal("Main Page", page.QuerySelector("#article-title")!.TextContent);
        Assert.Equal("1", page.QuerySelector("#page-id")!.TextContent);
    }
}
