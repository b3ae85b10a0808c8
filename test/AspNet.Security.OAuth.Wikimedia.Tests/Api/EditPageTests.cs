using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

/// <summary>
/// <see cref="WikimediaApiClient.EditPageAsync"/> against the emulator: every result branch, with the answers the
/// emulator copies from MediaWiki 1.39 (docs/protocol.md, "Editing"), and what is and is not sent twice.
/// </summary>
public class EditPageTests
{
    private const string Sandbox = "User:Example User/sandbox";

    internal static void EditGrants(WikimediaEmulatorOptions o)
    {
        foreach (var client in o.Clients)
        {
            client.Grants.Add("editpage");
            client.Grants.Add("createeditmovepage");
        }
    }

    private static Task<RefreshFixture> EditorAsync(Action<WikimediaEmulatorOptions>? emulator = null, EmulatedServer server = EmulatedServer.MediaWiki139, bool restRoot = true)
        => RefreshFixture.SignedInAsync(
            emulatorOptions: o =>
            {
                EditGrants(o);
                emulator?.Invoke(o);
            },
            api: (e, o) => o.BaseAddress = restRoot ? e.RestApiBaseAddress : e.ApiBaseAddress,
            server: server);

    internal static Task<WikimediaApiResult<WikimediaPageSource>> EditAsync(RefreshFixture session, string title, string source, string comment, long? latest)
        => ApiClientTests.CallAsync<WikimediaPageSource>(session, $"/api/wiki/edit?title={Uri.EscapeDataString(title)}&source={Uri.EscapeDataString(source)}&comment={Uri.EscapeDataString(comment)}" + (latest is { } id ? "&latest=" + id : ""));

    private static EmulatorRequest[] Puts(RefreshFixture session) => session.Emulator.Requests.Where(r => r.Method == "PUT").ToArray();

    [Fact]
    public async Task A_page_is_created_then_updated_as_the_user_with_the_consumers_change_tag()
    {
        await using var session = await EditorAsync();

        var created = await EditAsync(session, Sandbox, "Hello", "first", null);
        var updated = await EditAsync(session, Sandbox, "Hello again", "second", created.Value!.Latest.Id);

        Assert.Equal((WikimediaApiStatus.Success, HttpStatusCode.Created), (created.Status, created.StatusCode));
        Assert.Equal((WikimediaApiStatus.Success, HttpStatusCode.OK), (updated.Status, updated.StatusCode));
        Assert.Equal(("User:Example User/sandbox", "User:Example_User/sandbox", "Hello again"), (updated.Value!.Title, updated.Value.Key, updated.Value.Source));
        Assert.True(updated.Value.Latest.Id > created.Value.Latest.Id);
        var history = session.Emulator.PageHistory(Sandbox);
        Assert.Equal([updated.Value.Latest.Id, created.Value.Latest.Id], history.Select(r => r.Id));
        Assert.All(history, r => Assert.Equal(("Example User", "OAuth CID: 1"), (r.User, Assert.Single(r.Tags))));
        Assert.Equal(["second", "first"], history.Select(r => r.Comment));
    }

    [Fact]
    public async Task The_edit_is_one_json_put_of_source_comment_and_latest_with_the_bearer_token_and_no_csrf_token()
    {
        await using var session = await EditorAsync();
        var created = await EditAsync(session, Sandbox, "One", "c1", null);

        await EditAsync(session, Sandbox, "Two", "c2", created.Value!.Latest.Id);

        var put = Puts(session)[^1];
        Assert.Equal("/w/rest.php/v1/page/User:Example_User%2Fsandbox", put.Path);
        Assert.StartsWith("application/json", put.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("Bearer " + (await session.MeAsync()).Tokens["access_token"], put.Header("Authorization"));
        var body = JsonDocument.Parse(put.Body).RootElement;
        Assert.Equal(("Two", "c2", created.Value.Latest.Id), (body.GetProperty("source").GetString(), body.GetProperty("comment").GetString(), body.GetProperty("latest").GetProperty("id").GetInt64()));
        Assert.False(body.TryGetProperty("token", out _));
        Assert.False(JsonDocument.Parse(Puts(session)[0].Body).RootElement.TryGetProperty("latest", out _));
    }

    [Fact]
    public async Task On_the_gateway_the_edit_goes_to_core_v1_project_language_page()
    {
        await using var session = await EditorAsync(server: EmulatedServer.Wikimedia, restRoot: false);

        var created = await EditAsync(session, "Sandbox page", "Text", "c", null);

        Assert.Equal(WikimediaApiStatus.Success, created.Status);
        Assert.Equal("/core/v1/wikipedia/en/page/Sandbox_page", Assert.Single(Puts(session)).Path);
    }

    [Fact]
    public async Task An_edit_based_on_an_old_revision_is_an_edit_conflict_and_saves_nothing()
    {
        await using var session = await EditorAsync();
        var first = await EditAsync(session, Sandbox, "One", "c1", null);
        await EditAsync(session, Sandbox, "Two", "c2", first.Value!.Latest.Id);

        var stale = await EditAsync(session, Sandbox, "Three", "c3", first.Value.Latest.Id);

        Assert.Equal((WikimediaApiStatus.EditConflict, HttpStatusCode.Conflict), (stale.Status, stale.StatusCode));
        Assert.Contains("Edit conflict.", stale.Message, StringComparison.Ordinal);
        Assert.Equal(2, session.Emulator.PageHistory(Sandbox).Count);
    }

    [Fact]
    public async Task Creating_a_page_that_exists_is_an_edit_conflict()
    {
        await using var session = await EditorAsync();

        var exists = await EditAsync(session, "Earth", "Overwritten", "c", null);

        Assert.Equal(WikimediaApiStatus.EditConflict, exists.Status);
        Assert.Contains("cannot be created since it already exists", exists.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revision_given_for_a_page_that_does_not_exist_is_not_found()
    {
        await using var session = await EditorAsync();

        var missing = await EditAsync(session, "No such page", "Text", "c", 12345);

        Assert.Equal((WikimediaApiStatus.NotFound, HttpStatusCode.NotFound), (missing.Status, missing.StatusCode));
    }

    [Theory]
    [InlineData("basic", "Earth", "permissiondenied")]
    [InlineData("basic editpage", "A new page", "cantcreate")]
    public async Task A_consumer_without_the_edit_grant_gets_permission_denied(string grants, string title, string code)
    {
        await using var session = await RefreshFixture.SignedInAsync(
            emulatorOptions: o =>
            {
                o.Clients[0].Grants.Clear();
                foreach (var grant in grants.Split(' '))
                {
                    o.Clients[0].Grants.Add(grant);
                }
            },
            api: (e, o) => o.BaseAddress = e.RestApiBaseAddress,
            server: EmulatedServer.MediaWiki139);

        var refused = await EditAsync(session, title, "Text", "c", title == "Earth" ? 1262236514 : null);

        Assert.Equal((WikimediaApiStatus.PermissionDenied, HttpStatusCode.BadRequest, code), (refused.Status, refused.StatusCode, refused.ErrorCode));
        Assert.Empty(session.Refreshes);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, null)]
    [InlineData(EmulatedServer.MediaWiki143, "protectedpagetext")]
    public async Task A_protected_page_is_protected_for_a_user_who_is_no_sysop(EmulatedServer server, string? errorKey)
    {
        await using var session = await EditorAsync(o =>
        {
            o.Pages[0].Protected = true;
            o.Server = server;
        });

        var refused = await EditAsync(session, "Earth", "Text", "c", 1262236514);

        // 1.39 names no cause; 1.43 names it in errorKey (docs/protocol.md, "Editing"): both are the protection.
        Assert.Equal((WikimediaApiStatus.Protected, HttpStatusCode.Forbidden, errorKey), (refused.Status, refused.StatusCode, refused.ErrorCode));
        Assert.Contains("protected", refused.Message, StringComparison.Ordinal);
        Assert.Single(Puts(session));
    }

    [Fact]
    public async Task Past_the_edit_rate_limit_an_edit_is_rate_limited_and_not_retried()
    {
        await using var session = await EditorAsync(o => (o.EditRateLimit, o.EditRateLimitPeriod) = (1, TimeSpan.FromHours(1)));
        var first = await EditAsync(session, Sandbox, "One", "c1", null);

        var second = await EditAsync(session, Sandbox, "Two", "c2", first.Value!.Latest.Id);
        session.Time.Advance(TimeSpan.FromHours(1));
        var later = await EditAsync(session, Sandbox, "Two", "c2", first.Value.Latest.Id);

        Assert.Equal((WikimediaApiStatus.RateLimited, (HttpStatusCode)429, null), (second.Status, second.StatusCode, second.RetryAfter));
        Assert.Equal(WikimediaApiStatus.Success, later.Status);
        Assert.Equal(3, Puts(session).Length);
    }

    [Fact]
    public async Task A_rate_limit_with_retry_after_gives_the_delay()
    {
        await using var session = await EditorAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = (HttpStatusCode)429, Body = "<html>slow down</html>", ContentType = "text/html", Headers = { ["Retry-After"] = "120" }, Times = 1 });

        var limited = await EditAsync(session, Sandbox, "One", "c1", null);

        Assert.Equal((WikimediaApiStatus.RateLimited, TimeSpan.FromSeconds(120)), (limited.Status, limited.RetryAfter));
        Assert.Single(Puts(session));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task A_server_error_fails_the_edit_and_the_put_is_never_sent_again(HttpStatusCode status)
    {
        await using var session = await EditorAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = status, Body = "<html>down</html>", ContentType = "text/html", Times = 1 });

        var failed = await EditAsync(session, Sandbox, "One", "c1", null);

        Assert.Equal((WikimediaApiStatus.Failed, status), (failed.Status, failed.StatusCode));
        Assert.Single(Puts(session));
        Assert.Empty(session.Emulator.PageHistory(Sandbox));
    }

    [Fact]
    public async Task An_edit_after_the_access_token_expired_refreshes_once_and_succeeds()
    {
        await using var session = await EditorAsync();

        session.Time.Advance(session.Lifetime + TimeSpan.FromMinutes(1));
        var saved = await EditAsync(session, Sandbox, "After expiry", "c", null);

        Assert.Equal(WikimediaApiStatus.Success, saved.Status);
        Assert.Single(session.Refreshes);
        Assert.Equal("Bearer " + (await session.MeAsync()).Tokens["access_token"], Assert.Single(Puts(session)).Header("Authorization"));
    }

    [Theory]
    [InlineData(EmulatedServer.MediaWiki139)]
    [InlineData(EmulatedServer.Wikimedia)]
    public async Task A_token_the_wiki_refuses_is_refreshed_once_and_the_same_put_is_sent_again(EmulatedServer server)
    {
        await using var session = await EditorAsync(server: server);
        // The wiki refuses the token itself, before it looks at the edit: 1.39's 403 rest-read-denied, the edge's 401.
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, server == EmulatedServer.MediaWiki139
            ? new EmulatorFault { StatusCode = HttpStatusCode.Forbidden, Body = """{"error":"rest-read-denied","httpCode":403,"httpReason":"Forbidden"}""", Times = 1 }
            : new EmulatorFault { StatusCode = HttpStatusCode.Unauthorized, Body = """{"httpCode":401,"httpReason":"Jwt is expired"}""", Times = 1 });
        // A forced refresh waits until the token is a minute old (WikimediaTokenRefresher.ForcedRefreshInterval).
        session.Time.Advance(TimeSpan.FromMinutes(2));

        var saved = await EditAsync(session, Sandbox, "Sent twice", "c", null);

        Assert.Equal(WikimediaApiStatus.Success, saved.Status);
        Assert.Single(session.Refreshes);
        var puts = Puts(session);
        Assert.Equal(2, puts.Length);
        Assert.Equal(puts[0].Body, puts[1].Body);
        Assert.NotEqual(puts[0].Header("Authorization"), puts[1].Header("Authorization"));
        Assert.Single(session.Emulator.PageHistory(Sandbox));
    }

    [Fact]
    public async Task A_revoked_token_on_1_39_is_refused_with_rest_read_denied_and_the_edit_ends_unauthorized_after_one_failed_refresh()
    {
        await using var session = await EditorAsync();
        session.Emulator.RevokeGrants("Example User");
        session.Time.Advance(TimeSpan.FromMinutes(2));

        var refused = await EditAsync(session, Sandbox, "Text", "c", null);

        Assert.Equal((WikimediaApiStatus.Unauthorized, HttpStatusCode.Forbidden, "rest-read-denied"), (refused.Status, refused.StatusCode, refused.ErrorCode));
        Assert.Empty(session.Emulator.PageHistory(Sandbox));
        Assert.Single(Puts(session));
        Assert.Single(session.Refreshes);
    }

    [Fact]
    public async Task Without_a_signed_in_user_nothing_is_sent()
    {
        await using var session = await EditorAsync();
        using var anonymous = new Infrastructure.TestBrowser();

        using var response = await anonymous.GetAsync(new Uri(session.App.BaseAddress, "/api/wiki/edit?title=X&source=y&comment=z"));
        var result = await response.Content.ReadFromJsonAsync<WikimediaApiResult<WikimediaPageSource>>(ApiClientTests.Json);

        Assert.Equal((WikimediaApiStatus.NotAuthenticated, WikimediaTokenStatus.NotAuthenticated), (result!.Status, result.TokenStatus));
        Assert.Empty(Puts(session));
    }

    [Fact]
    public async Task The_page_source_and_history_routes_read_what_the_edit_saved()
    {
        await using var session = await EditorAsync();
        var created = await EditAsync(session, Sandbox, "Body text", "made it", null);

        var source = await ApiClientTests.CallAsync<WikimediaPageSource>(session, "/api/wiki/source?title=" + Uri.EscapeDataString(Sandbox));
        var history = await ApiClientTests.CallAsync<WikimediaPageHistory>(session, "/api/wiki/history?title=" + Uri.EscapeDataString(Sandbox));
        var missing = await ApiClientTests.CallAsync<WikimediaPageSource>(session, "/api/wiki/source?title=Not_there");

        Assert.Equal(("Body text", created.Value!.Latest.Id), (source.Value!.Source, source.Value.Latest.Id));
        var revision = Assert.Single(history.Value!.Revisions);
        Assert.Equal((created.Value.Latest.Id, "Example User", "made it"), (revision.Id, revision.User!.Name, revision.Comment));
        Assert.Equal(WikimediaApiStatus.NotFound, missing.Status);
    }
}
