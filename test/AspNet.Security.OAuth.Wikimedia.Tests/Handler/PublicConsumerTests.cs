using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

public class PublicConsumerTests
{
    [Fact]
    public async Task A_public_consumer_signs_in_with_pkce_and_sends_no_secret()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, o => o.UseEmulator(emulator, WikimediaEmulatorOptions.DefaultPublicClientId));
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        Assert.Equal("Example User", me.Name);
        var form = emulator.TokenRequests.Single().Form;
        Assert.Equal(WikimediaEmulatorOptions.DefaultPublicClientId, form["client_id"]);
        Assert.False(form.ContainsKey("client_secret"));
        Assert.True(form.ContainsKey("code_verifier"));
    }

    [Fact]
    public async Task The_emulator_refuses_a_public_consumer_without_pkce_with_an_html_400()
    {
        using var emulator = WikimediaEmulator.Start();
        using var http = new HttpClient();
        var url = $"{emulator.Authority}/oauth2/authorize?response_type=code&client_id={WikimediaEmulatorOptions.DefaultPublicClientId}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fsignin-wikimedia&state=s";

        using var response = await http.GetAsync(new Uri(url));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("PKCE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
