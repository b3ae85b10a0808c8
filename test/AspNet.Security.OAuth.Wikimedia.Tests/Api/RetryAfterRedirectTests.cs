using System.Collections.Concurrent;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

/// <summary>
/// The API handler's one retry after a 401 "goes to the URL the app asked for, even when the first answer came through a
/// redirect". HttpClient's redirect handling rewrites the request it follows: a 301/302/303 turns a POST into a GET and
/// drops its body. The retry must still be the request the app made.
/// </summary>
public class RetryAfterRedirectTests
{
    [Fact]
    public async Task The_retry_after_a_redirected_401_repeats_the_apps_post_with_its_body_not_a_get()
    {
        // A wiki API that answers the first POST with a redirect to a page that wants a token (the redirect drops it).
        var seen = new ConcurrentQueue<string>();
        var posts = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        await using var wiki = builder.Build();
        wiki.MapPost("/w/rest.php/v1/page/Sandbox", async (HttpContext c) =>
        {
            var body = await new StreamReader(c.Request.Body).ReadToEndAsync();
            seen.Enqueue("POST " + body);
            return Interlocked.Increment(ref posts) == 1 ? Results.Redirect("/w/rest.php/v1/login") : Results.Text("saved");
        });
        wiki.MapGet("/w/rest.php/v1/page/Sandbox", () => { seen.Enqueue("GET"); return Results.Text("the page as it is"); });
        wiki.MapGet("/w/rest.php/v1/login", () => Results.Unauthorized());
        await wiki.StartAsync();
        var wikiAddress = new Uri(wiki.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var emulator = WikimediaEmulator.Start(o => o.TimeProvider = time);
        await using var app = await TestApp.StartAsync(emulator,
            services: s =>
            {
                s.AddSingleton<TimeProvider>(time);
                s.AddHttpClient("wiki", c => c.BaseAddress = new Uri(wikiAddress, "w/rest.php/v1/")).AddWikimediaUserToken();
            },
            endpoints: e => e.MapPost("/edit", async (IHttpClientFactory factory) =>
            {
                using var response = await factory.CreateClient("wiki").PostAsync(new Uri("page/Sandbox", UriKind.Relative), new StringContent("text=hello"));
                return Results.Text((int)response.StatusCode + " " + await response.Content.ReadAsStringAsync());
            }));
        using var browser = new TestBrowser();
        await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));
        time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);

        using var edit = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(app.BaseAddress, "/edit")));

        Assert.Equal(["POST text=hello", "POST text=hello"], seen.ToArray());
        Assert.Equal("200 saved", await edit.Content.ReadAsStringAsync());
    }
}
