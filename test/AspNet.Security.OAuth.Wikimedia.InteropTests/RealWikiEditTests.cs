using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests;

/// <summary>
/// Editing as the user through the handler and <see cref="WikimediaApiClient.EditPageAsync"/>, against the genuine
/// MediaWiki (test/realwiki): the edit lands in the page's history as the signed-in user with the OAuth change tag,
/// and each refusal is the result the real wiki's answer makes. Everything about the wiki comes from the
/// <see cref="RealWiki"/> given (its REST root, consumers, users, protected page), none of it is written here, so that
/// the same tests can run against another wiki build.
/// </summary>
[Collection(RealWikiGroup.Name)]
public sealed partial class RealWikiEditTests(RealWiki wiki)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task An_edit_by_alice_shows_in_the_page_history_as_alice_with_the_oauth_change_tag()
    {
        await using var editor = await EditorAsync(wiki.Alice);
        var title = $"User:{wiki.Alice.User}/sandbox {Guid.NewGuid():N}";

        var created = await editor.EditAsync(title, "Hello from the handler", "first edit", null);
        var updated = await editor.EditAsync(title, "Hello again", "second edit", created.Value!.Latest.Id);
        var history = await editor.CallAsync<WikimediaPageHistory>("/api/wiki/history?title=" + Uri.EscapeDataString(title));

        Assert.Equal((WikimediaApiStatus.Success, HttpStatusCode.Created), (created.Status, created.StatusCode));
        Assert.Equal((WikimediaApiStatus.Success, HttpStatusCode.OK, "Hello again"), (updated.Status, updated.StatusCode, updated.Value!.Source));
        Assert.Equal(
            [(updated.Value.Latest.Id, wiki.Alice.User, "second edit"), (created.Value.Latest.Id, wiki.Alice.User, "first edit")],
            history.Value!.Revisions.Select(r => (r.Id, r.User!.Name, r.Comment!)));
        var tags = await TagsAsync(title);
        Assert.Equal(2, tags.Count);
        Assert.All(tags, t => Assert.Matches(OAuthTag(), Assert.Single(t)));
    }

    [Fact]
    public async Task An_edit_after_the_access_token_expired_refreshes_exactly_once_and_succeeds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var editor = await EditorAsync(wiki.Alice, time);
        var before = editor.TokenRequests;

        // The wiki's tokens live REALWIKI_ACCESS_TOKEN_TTL (1 hour by default): past it, in the app's clock.
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var saved = await editor.EditAsync($"User:{wiki.Alice.User}/expired {Guid.NewGuid():N}", "After expiry", "edit after expiry", null);

        Assert.Equal(WikimediaApiStatus.Success, saved.Status);
        Assert.Equal(1, editor.TokenRequests - before);
    }

    [Fact]
    public async Task An_edit_on_an_old_revision_is_an_edit_conflict_and_the_wiki_keeps_the_other_text()
    {
        await using var editor = await EditorAsync(wiki.Alice);
        var title = $"User:{wiki.Alice.User}/conflict {Guid.NewGuid():N}";
        var first = await editor.EditAsync(title, "One", "c1", null);
        await editor.EditAsync(title, "Two", "c2", first.Value!.Latest.Id);

        var stale = await editor.EditAsync(title, "Three", "c3", first.Value.Latest.Id);
        var exists = await editor.EditAsync(title, "Four", "c4", null);
        var source = await editor.CallAsync<WikimediaPageSource>("/api/wiki/source?title=" + Uri.EscapeDataString(title));

        Assert.Equal((WikimediaApiStatus.EditConflict, HttpStatusCode.Conflict), (stale.Status, stale.StatusCode));
        Assert.Equal(WikimediaApiStatus.EditConflict, exists.Status);
        Assert.Equal("Two", source.Value!.Source);
    }

    [Fact]
    public async Task The_basic_consumer_without_edit_grants_gets_permission_denied()
    {
        await using var editor = await EditorAsync(wiki.Alice, consumer: ConsumerKind.Basic);

        var refused = await editor.EditAsync($"User:{wiki.Alice.User}/no grant {Guid.NewGuid():N}", "x", "c", null);

        Assert.Equal((WikimediaApiStatus.PermissionDenied, HttpStatusCode.BadRequest, "permissiondenied"), (refused.Status, refused.StatusCode, refused.ErrorCode));
    }

    [Fact]
    public async Task A_protected_page_is_protected_for_alice()
    {
        await using var editor = await EditorAsync(wiki.Alice);
        var page = await editor.CallAsync<WikimediaPageSource>("/api/wiki/source?title=" + Uri.EscapeDataString(wiki.ProtectedPage));

        var refused = await editor.EditAsync(wiki.ProtectedPage, "Vandalised", "c", page.Value!.Latest.Id);

        Assert.Equal((WikimediaApiStatus.Protected, HttpStatusCode.Forbidden), (refused.Status, refused.StatusCode));
        Assert.Contains("protected", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rate_limited_user_is_rate_limited_by_her_second_edit_and_that_edit_is_not_saved()
    {
        await using var editor = await EditorAsync(wiki.Carol);

        // Carol may make one edit a day: an earlier run may have spent it, so the first may be limited already.
        var results = new List<(string Title, WikimediaApiResult<WikimediaPageSource> Result)>();
        for (var i = 0; i < 2 && !results.Any(r => r.Result.Status == WikimediaApiStatus.RateLimited); i++)
        {
            var title = $"User:{wiki.Carol.User}/limited {Guid.NewGuid():N}";
            results.Add((title, await editor.EditAsync(title, "x", "c", null)));
        }

        var (limitedTitle, limited) = Assert.Single(results, r => r.Result.Status == WikimediaApiStatus.RateLimited);
        Assert.Equal(((HttpStatusCode)429, null), (limited.StatusCode, limited.RetryAfter));
        Assert.All(results.Where(r => r.Result != limited), r => Assert.Equal(WikimediaApiStatus.Success, r.Result.Status));
        var missing = await editor.CallAsync<WikimediaPageSource>("/api/wiki/source?title=" + Uri.EscapeDataString(limitedTitle));
        Assert.Equal(WikimediaApiStatus.NotFound, missing.Status);
    }

    [GeneratedRegex("^OAuth CID: [0-9]+$")]
    private static partial Regex OAuthTag();

    /// <summary>The change tags of a page's revisions, newest first, from the wiki's action API (the REST history has none).</summary>
    private async Task<List<List<string>>> TagsAsync(string title)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd(InteropApp.UserAgent);
        var body = JsonDocument.Parse(await client.GetStringAsync(new Uri(wiki.ActionApi,
            $"?action=query&prop=revisions&titles={Uri.EscapeDataString(title)}&rvprop=ids%7Ctags&rvlimit=10&format=json&formatversion=2"))).RootElement;
        return body.GetProperty("query").GetProperty("pages")[0].GetProperty("revisions").EnumerateArray()
            .Select(r => r.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList())
            .ToList();
    }

    /// <summary>An app signed in as <paramref name="account"/> with a consumer of the wiki, its API client on the wiki's REST root.</summary>
    private async Task<Editor> EditorAsync(WikiAccount account, TimeProvider? time = null, ConsumerKind consumer = ConsumerKind.Edit)
    {
        var counter = new TokenRequestCounter();
        var app = await InteropApp.StartAsync(wiki, wiki.Consumer(consumer), services: s =>
        {
            if (time is not null)
            {
                s.AddSingleton(time);
            }

            s.Configure<WikimediaApiOptions>(o => o.BaseAddress = wiki.RestRoot);
            s.AddHttpClient(WikimediaAuthenticationDefaults.BackchannelHttpClientName(WikimediaAuthenticationDefaults.AuthenticationScheme))
                .AddHttpMessageHandler(() => counter);
        });
        var person = new WikiBrowser(wiki);
        using var landed = await person.SignInAsync(app.BaseAddress, account);
        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        return new Editor(app, person, counter);
    }

    private sealed class Editor(TestApp app, WikiBrowser person, TokenRequestCounter counter) : IAsyncDisposable
    {
        public int TokenRequests => counter.Count;

        public Task<WikimediaApiResult<WikimediaPageSource>> EditAsync(string title, string source, string comment, long? latest)
            => CallAsync<WikimediaPageSource>($"/api/wiki/edit?title={Uri.EscapeDataString(title)}&source={Uri.EscapeDataString(source)}&comment={Uri.EscapeDataString(comment)}" + (latest is { } id ? "&latest=" + id : ""));

        public async Task<WikimediaApiResult<T>> CallAsync<T>(string path)
        {
            using var response = await person.Browser.GetAsync(new Uri(app.BaseAddress, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<WikimediaApiResult<T>>(Json))!;
        }

        public async ValueTask DisposeAsync()
        {
            person.Dispose();
            await app.DisposeAsync();
        }
    }

    /// <summary>Counts the requests to the token endpoint on the handler's backchannel.</summary>
    private sealed class TokenRequestCounter : DelegatingHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/oauth2/access_token", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
