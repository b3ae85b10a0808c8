using System.Net.Http.Json;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

/// <summary>How WikimediaApiOptions tells a REST root from the gateway, and that the WikimediaApi keys alone choose the wiki.</summary>
public class ApiOptionsTests
{
    [Theory]
    [InlineData("https://api.wikimedia.org/", false)]
    [InlineData("https://api.wikimedia.org", false)]
    [InlineData("https://en.wikipedia.org/w/rest.php/", true)]
    [InlineData("https://en.wikipedia.org/w/rest.php", true)]
    [InlineData("http://127.0.0.1:8089/w/rest.php/", true)]
    [InlineData("https://wiki.example.org/rest.php", true)]
    [InlineData("https://wiki.example.org/REST.PHP/", true)]
    // The client adds v1/ itself: a root that already has it is not one.
    [InlineData("https://en.wikipedia.org/w/rest.php/v1/", false)]
    [InlineData("https://wiki.example.org/notrest.php/", false)]
    [InlineData("https://wiki.example.org/rest.php.bak/", false)]
    [InlineData("https://wiki.example.org/?path=/rest.php", false)]
    public void A_base_address_is_a_rest_root_when_its_last_path_segment_is_rest_php(string baseAddress, bool expected)
        => Assert.Equal(expected, new WikimediaApiOptions { BaseAddress = new Uri(baseAddress) }.IsRestRoot);

    [Fact]
    public void The_defaults_are_the_gateway_and_english_wikipedia()
    {
        var options = new WikimediaApiOptions();

        Assert.Equal((new Uri("https://api.wikimedia.org/"), false, "wikipedia", "en"), (options.BaseAddress, options.IsRestRoot, options.Project, options.Language));
    }

    [Theory]
    [InlineData("w/rest.php", null, null, "/w/rest.php/v1/page/Earth/bare", WikimediaApiStatus.Success)]
    [InlineData("", "wikipedia", "de", "/core/v1/wikipedia/de/page/Earth/bare", WikimediaApiStatus.NotFound)]
    [InlineData("", "wiktionary", null, "/core/v1/wiktionary/en/page/Earth/bare", WikimediaApiStatus.NotFound)]
    public async Task The_wikimedia_api_keys_alone_choose_the_wiki(string root, string? project, string? language, string expectedPath, WikimediaApiStatus expected)
    {
        using var emulator = WikimediaEmulator.Start();
        var configuration = new Dictionary<string, string?>
        {
            ["Authentication:Schemes:Wikimedia:ClientId"] = WikimediaEmulatorOptions.DefaultClientId,
            ["Authentication:Schemes:Wikimedia:ClientSecret"] = WikimediaEmulatorOptions.DefaultClientSecret,
            ["Authentication:Schemes:Wikimedia:Authority"] = emulator.Authority,
            ["WikimediaApi:BaseAddress"] = emulator.BaseAddress + root,
        };
        // A key left out keeps its default; a key present with no value would bind as empty.
        if (project is not null)
        {
            configuration["WikimediaApi:Project"] = project;
        }

        if (language is not null)
        {
            configuration["WikimediaApi:Language"] = language;
        }

        await using var app = await TestApp.StartAsync(emulator: null, configuration: configuration);
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        using var response = await browser.GetAsync(new Uri(app.BaseAddress, "/api/wiki/page?title=Earth"));
        var result = await response.Content.ReadFromJsonAsync<WikimediaApiResult<WikimediaPage>>(new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Equal(expected, result!.Status);
        Assert.Equal(expectedPath, Assert.Single(emulator.Requests, r => r.Path.EndsWith("/bare", StringComparison.Ordinal)).Path);
    }
}
