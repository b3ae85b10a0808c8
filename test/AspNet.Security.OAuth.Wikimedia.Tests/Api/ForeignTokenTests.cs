using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

/// <summary>
/// An app offers "Sign in with Wikimedia" next to another OAuth provider (GitHub, say; here a second emulator stands in
/// for it), both saving their tokens in the same cookie, as ASP.NET Core's templates do. The Wikimedia API client and
/// <c>GetWikimediaAccessTokenAsync</c> must only ever hand out a token that a Wikimedia scheme (the one the API client is
/// bound to: <c>WikimediaApiOptions.AuthenticationScheme</c>, "whose user token ... are used") obtained.
/// </summary>
public class ForeignTokenTests
{
    [Fact]
    public async Task A_session_signed_in_by_another_oauth_provider_never_sends_that_providers_token_to_the_wikimedia_api()
    {
        using var wikimedia = WikimediaEmulator.Start();
        using var other = WikimediaEmulator.Start();
        other.Client().RedirectUris.Add("http://127.0.0.1/signin-other");
        await using var app = await TestApp.StartAsync(wikimedia,
            services: s => s.AddAuthentication().AddOAuth("Other", o =>
            {
                o.ClientId = other.Client().ClientId;
                o.ClientSecret = other.Client().ClientSecret!;
                o.AuthorizationEndpoint = other.Authority + "/oauth2/authorize";
                o.TokenEndpoint = other.Authority + "/oauth2/access_token";
                o.CallbackPath = "/signin-other";
                o.SaveTokens = true;
            }),
            endpoints: e => e.MapGet("/signin-with-other", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, ["Other"])));
        using var browser = new TestBrowser();
        using var home = await browser.ConsentAsync(await browser.FollowAsync(new Uri(app.BaseAddress, "/signin-with-other")));
        Assert.Equal("/", home.RequestMessage!.RequestUri!.AbsolutePath);
        var othersAccessToken = (await MeResponse.ReadAsync(await browser.GetAsync(new Uri(app.BaseAddress, "/me")))).Tokens["access_token"];

        using var token = await browser.GetAsync(new Uri(app.BaseAddress, "/token"));
        using var page = await browser.GetAsync(new Uri(app.BaseAddress, "/api/page?title=Earth"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain(wikimedia.Requests, r => r.Header("Authorization") == "Bearer " + othersAccessToken);
        Assert.DoesNotContain(wikimedia.Requests, r => r.Header("Authorization") is not null);
        Assert.Contains("\"accessToken\":null", await token.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
