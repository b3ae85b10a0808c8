using System.Net;
using System.Security.Claims;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests;

/// <summary>The handler against the genuine MediaWiki 1.39 OAuth server, driven over HTTP through its real login and consent pages.</summary>
[Collection(RealWikiGroup.Name)]
public sealed class RealWikiSignInTests(RealWiki wiki)
{
    [Theory]
    [InlineData(ConsumerKind.Identity)]
    [InlineData(ConsumerKind.Public)]
    [InlineData(ConsumerKind.Private)]
    [InlineData(ConsumerKind.Basic)]
    public async Task Each_kind_of_consumer_signs_in_with_no_scope_configured(ConsumerKind kind)
    {
        await using var app = await InteropApp.StartAsync(wiki, wiki.Consumer(kind));
        using var person = new WikiBrowser(wiki);

        using var landed = await person.SignInAsync(app.BaseAddress, wiki.Alice);
        var me = await MeResponse.ReadAsync(landed);

        Assert.Equal(wiki.Alice.User, me.Name);
        Assert.False(string.IsNullOrEmpty(me.Value(ClaimTypes.NameIdentifier)));
        Assert.Equal(kind == ConsumerKind.Private ? wiki.Alice.Email : null, me.Value(ClaimTypes.Email));
        Assert.StartsWith("eyJ", me.Tokens["access_token"], StringComparison.Ordinal);
        Assert.StartsWith("def50200", me.Tokens["refresh_token"], StringComparison.Ordinal);
        Assert.Empty(app.RemoteFailures);
    }

    [Fact]
    public async Task Cancel_on_the_real_consent_page_ends_at_the_access_denied_path_with_the_return_url()
    {
        await using var app = await InteropApp.StartAsync(wiki, wiki.Consumer(ConsumerKind.Basic));
        using var person = new WikiBrowser(wiki);

        using var landed = await person.SignInAsync(app.BaseAddress, wiki.Bob, allow: false);

        Assert.True(person.SawConsent);
        Assert.Equal("/denied", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("Access denied. Return: /me", await landed.Content.ReadAsStringAsync());
        Assert.Empty(app.RemoteFailures);
    }

    [Fact]
    public async Task Two_refreshes_in_a_row_under_strict_rotation_keep_the_session()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await InteropApp.StartAsync(wiki, wiki.Consumer(ConsumerKind.Identity), services: s => s.AddSingleton<TimeProvider>(time));
        using var person = new WikiBrowser(wiki);
        var signIn = await MeResponse.ReadAsync(await person.SignInAsync(app.BaseAddress, wiki.Alice));

        time.Advance(TimeSpan.FromHours(1));
        var first = await MeAsync(person, app);
        time.Advance(TimeSpan.FromHours(1));
        var second = await MeAsync(person, app);

        Assert.Equal(3, new[] { signIn, first, second }.Select(m => m.Tokens["refresh_token"]).Distinct().Count());
        Assert.Equal(3, new[] { signIn, first, second }.Select(m => m.Tokens["access_token"]).Distinct().Count());
        Assert.Equal(2, app.Logs.GetSnapshot().Count(l => l.Id.Id == 20 && l.Category == "AspNet.Security.OAuth.Wikimedia.Tokens.WikimediaTokenRefresher"));
        // The real server revoked the first refresh token: spending it again is refused (401 invalid_request on 1.39).
        using var reuse = await TokenRequestAsync(wiki.Consumer(ConsumerKind.Identity), signIn.Tokens["refresh_token"]);
        Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
        Assert.Equal("invalid_request", JsonDocument.Parse(await reuse.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_stale_cookie_after_a_refresh_adopts_the_new_tokens_instead_of_ending_the_session()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await InteropApp.StartAsync(wiki, wiki.Consumer(ConsumerKind.Identity), services: s => s.AddSingleton<TimeProvider>(time));
        using var person = new WikiBrowser(wiki);
        await MeResponse.ReadAsync(await person.SignInAsync(app.BaseAddress, wiki.Alice));
        var stale = string.Join("; ", person.Browser.CookiesFor(app.BaseAddress).Select(c => c.Name + "=" + c.Value));
        time.Advance(TimeSpan.FromHours(1));
        var refreshed = await MeAsync(person, app);
        time.Advance(TimeSpan.FromMinutes(5));

        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseAddress, "/me"));
        request.Headers.Add("Cookie", stale);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(refreshed.Tokens["access_token"], (await MeResponse.ReadAsync(response)).Tokens["access_token"]);
    }

    [Fact]
    public async Task Revoking_the_app_on_special_oauthmanagemygrants_ends_the_session_at_its_next_refresh()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await InteropApp.StartAsync(wiki, wiki.Consumer(ConsumerKind.Basic), services: s => s.AddSingleton<TimeProvider>(time));
        using var person = new WikiBrowser(wiki);
        await MeResponse.ReadAsync(await person.SignInAsync(app.BaseAddress, wiki.Bob));

        Assert.True(await person.RevokeAllGrantsAsync() >= 1);
        time.Advance(TimeSpan.FromHours(1));
        using var after = await person.Browser.GetAsync(new Uri(app.BaseAddress, "/me"));

        Assert.Equal(HttpStatusCode.Found, after.StatusCode);
        Assert.Equal("/signin", after.Headers.Location!.AbsolutePath);
        var ended = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 22 && l.Category == "AspNet.Security.OAuth.Wikimedia.Tokens.WikimediaTokenRefresher");
        Assert.Contains("invalid_request", ended.Message, StringComparison.Ordinal);
        using var home = await person.Browser.GetAsync(app.BaseAddress);
        Assert.Equal("Anonymous", await home.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_wikis_own_rest_api_answers_as_the_user()
    {
        await using var app = await InteropApp.StartAsync(wiki, wiki.Consumer(ConsumerKind.Basic));
        using var person = new WikiBrowser(wiki);
        await MeResponse.ReadAsync(await person.SignInAsync(app.BaseAddress, wiki.Alice));

        using var response = await person.Browser.GetAsync(new Uri(app.BaseAddress, "/api/perwiki?title=Main_Page"));
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Main Page", page.GetProperty("title").GetString());
        Assert.True(page.GetProperty("latest").GetProperty("id").GetInt64() > 0);
    }

    [Theory]
    [InlineData("profile")]
    [InlineData("rest")]
    public async Task A_request_holding_the_token_from_before_a_refresh_is_refused_by_the_wiki_and_retries_with_the_new_one(string api)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await InteropApp.StartAsync(
            wiki,
            wiki.Consumer(ConsumerKind.Basic),
            services: s => s.AddSingleton<TimeProvider>(time),
            endpoints: a => a.MapGet("/held", async (HttpContext context, WikimediaApiClient client, IHttpClientFactory clients) =>
            {
                // This request has read its cookie (the token of the sign-in) and waits while another refreshes it.
                await context.AuthenticateAsync();
                entered.SetResult();
                await gate.Task;
                if (api == "profile")
                {
                    return Results.Json(await client.GetProfileAsync());
                }

                using var response = await clients.CreateClient("enwiki").GetAsync(new Uri("page/Main_Page/bare", UriKind.Relative));
                return Results.Text(await response.Content.ReadAsStringAsync(), "application/json", statusCode: (int)response.StatusCode);
            }));
        using var person = new WikiBrowser(wiki);
        var signIn = await MeResponse.ReadAsync(await person.SignInAsync(app.BaseAddress, wiki.Alice));

        var held = person.Browser.GetAsync(new Uri(app.BaseAddress, "/held"));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Due (5 minutes before the wiki's 1-hour expiry) but not expired: the held request still sends its token.
        time.Advance(TimeSpan.FromMinutes(56));
        var refreshed = await MeAsync(person, app);
        gate.SetResult();
        using var response = await held;
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.NotEqual(signIn.Tokens["access_token"], refreshed.Tokens["access_token"]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(api == "profile" ? wiki.Alice.User : "Main Page", api == "profile" ? body.GetProperty("value").GetProperty("username").GetString() : body.GetProperty("title").GetString());
        var logs = app.Logs.GetSnapshot();
        Assert.Single(logs, l => l.Id.Id == 40 && l.Category == typeof(WikimediaBearerTokenHandler).FullName);
        Assert.Single(logs, l => l.Id.Id == 20 && l.Category == "AspNet.Security.OAuth.Wikimedia.Tokens.WikimediaTokenRefresher");
    }

    private static async Task<MeResponse> MeAsync(WikiBrowser person, TestApp app)
    {
        using var response = await person.Browser.GetAsync(new Uri(app.BaseAddress, "/me"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await MeResponse.ReadAsync(response);
    }

    private async Task<HttpResponseMessage> TokenRequestAsync(WikiConsumer consumer, string refreshToken)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd(InteropApp.UserAgent);
        return await client.PostAsync(new Uri(wiki.Authority + "/oauth2/access_token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = consumer.ClientId,
            ["client_secret"] = consumer.ClientSecret!,
        }));
    }
}
