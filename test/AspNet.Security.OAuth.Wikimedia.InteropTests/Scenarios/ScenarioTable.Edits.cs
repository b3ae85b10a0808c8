using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests.Scenarios;

/// <summary>
/// The edit scenarios of the table: <c>PUT v1/page/{title}</c> with the EDIT consumer's token, as MediaWiki 1.39 answers
/// each case, and 1.43 where it differs (docs/protocol.md, "Editing"). Every run edits pages of its own, so that runs never meet on the real wiki.
/// </summary>
public sealed partial class ScenarioTable
{
    private static readonly Dictionary<string, (Func<Run, Task<string>> Act, string Expected)> EditScenarios = new()
    {
        ["an edit: create 201, update 200, a null edit keeps the revision; the history names the token's user, the change tag the consumer"] = (
            async run =>
            {
                var token = await run.AccessTokenAsync(ConsumerKind.Edit);
                var title = NewTitle();
                var (created, first) = await run.PutAsync(token, title, new { source = "One", comment = "first" });
                var (updated, second) = await run.PutAsync(token, title, new { source = "Two", comment = "second", latest = new { id = first.GetProperty("latest").GetProperty("id").GetInt64() } });
                var latest = second.GetProperty("latest").GetProperty("id").GetInt64();
                var (same, third) = await run.PutAsync(token, title, new { source = "Two", comment = "nothing", latest = new { id = latest } });
                var user = await run.UserAsync(token);
                var history = await run.GetAsync(token, $"v1/page/{Uri.EscapeDataString(title)}/history");
                var authors = history.GetProperty("revisions").EnumerateArray().Select(r => r.GetProperty("user").GetProperty("name").GetString() == user ? "user" : "other");
                var tags = await run.TagsAsync(title);
                return $"{created} {first.GetProperty("source").GetString()}; {updated} {second.GetProperty("source").GetString()} newer={latest > first.GetProperty("latest").GetProperty("id").GetInt64()}; " +
                       $"null edit {same} same={third.GetProperty("latest").GetProperty("id").GetInt64() == latest}; history={string.Join(',', authors)}; tags={tags}";
            },
            "201 One; 200 Two newer=True; null edit 200 same=True; history=user,user; tags=OAuth CID: n|OAuth CID: n"),
        ["an edit on an old revision, or a creation of a page that exists: 409"] = (
            async run =>
            {
                var token = await run.AccessTokenAsync(ConsumerKind.Edit);
                var title = NewTitle();
                var (_, first) = await run.PutAsync(token, title, new { source = "One", comment = "c" });
                var baseRevision = new { id = first.GetProperty("latest").GetProperty("id").GetInt64() };
                await run.PutAsync(token, title, new { source = "Two", comment = "c", latest = baseRevision });
                var (stale, staleBody) = await run.PutAsync(token, title, new { source = "Three", comment = "c", latest = baseRevision });
                var (exists, existsBody) = await run.PutAsync(token, title, new { source = "Four", comment = "c" });
                return $"stale {stale} {Text(staleBody)}; create {exists} {(Text(existsBody).Contains("already exists", StringComparison.Ordinal) ? "exists" : Text(existsBody))}";
            },
            "stale 409 Edit conflict.; create 409 exists"),
        ["the consumer lacks the edit grants (basic only): 400 permissiondenied"] = (
            async run =>
            {
                var token = await run.AccessTokenAsync(ConsumerKind.Basic);
                var (status, body) = await run.PutAsync(token, NewTitle(), new { source = "x", comment = "c" });
                return $"{status} {Code(body)}";
            },
            "400 permissiondenied"),
        ["a protected page: 403, no error code (1.43: errorKey protectedpagetext)"] = (
            async run =>
            {
                var token = await run.AccessTokenAsync(ConsumerKind.Edit);
                var page = await run.GetAsync(token, "v1/page/" + Uri.EscapeDataString(OAuthServerUnderTest.ProtectedPage));
                var (status, body) = await run.PutAsync(token, OAuthServerUnderTest.ProtectedPage, new { source = "x", comment = "c", latest = new { id = page.GetProperty("latest").GetProperty("id").GetInt64() } });
                return $"{status} {Code(body)} key={ErrorKey(body)} {(Text(body).Contains("protected", StringComparison.Ordinal) ? "protected" : Text(body))}";
            },
            "403 - key=- protected"),
        ["no token: 400 missingparam (a CSRF token; 1.43: 403 rest-badtoken); a revoked token: 403 rest-read-denied"] = (
            async run =>
            {
                var (none, noneBody) = await run.PutAsync(null, NewTitle(), new { source = "x", comment = "c" });
                var tokens = await run.ExchangeAsync(ConsumerKind.Edit);
                using var refreshed = await run.TokenAsync(ConsumerKind.Edit, Form.Refresh(tokens.GetProperty("refresh_token").GetString()!));
                var (revoked, revokedBody) = await run.PutAsync(tokens.GetProperty("access_token").GetString(), NewTitle(), new { source = "x", comment = "c" });
                return $"{none} {Code(noneBody)} key={ErrorKey(noneBody)}; {revoked} {Code(revokedBody)}";
            },
            "400 missingparam key=-; 403 rest-read-denied"),
        ["a base revision for a page that does not exist: 404; a body that is not JSON: 415; no comment: 400"] = (
            async run =>
            {
                var token = await run.AccessTokenAsync(ConsumerKind.Edit);
                var (missing, _) = await run.PutAsync(token, NewTitle(), new { source = "x", comment = "c", latest = new { id = 1 } });
                var (text, _) = await run.PutAsync(token, NewTitle(), new { source = "x", comment = "c" }, "text/plain");
                var (noComment, _) = await run.PutAsync(token, NewTitle(), new { source = "x" });
                return $"{missing}; {text}; {noComment}";
            },
            "404; 415; 400"),
    };

    private static string NewTitle() => "Edit scenario " + Guid.NewGuid().ToString("N")[..12];

    private static string Code(JsonElement body)
        => body.TryGetProperty("actionModuleErrorCode", out var code) || body.TryGetProperty("error", out code) ? code.GetString()! : "-";

    /// <summary>The message key that MediaWiki 1.43's REST errors carry; 1.39's have none.</summary>
    private static string ErrorKey(JsonElement body)
        => body.TryGetProperty("errorKey", out var key) ? key.GetString()! : "-";

    private static string Text(JsonElement body)
        => body.TryGetProperty("messageTranslations", out var translations) ? translations.GetProperty("en").GetString()! : "-";

    private sealed partial class Run
    {
        public async Task<string> AccessTokenAsync(ConsumerKind kind) => (await ExchangeAsync(kind)).GetProperty("access_token").GetString()!;

        /// <summary>A PUT of <c>v1/page/{title}</c>: the status code and the JSON answer.</summary>
        public async Task<(int Status, JsonElement Body)> PutAsync(string? accessToken, string title, object body, string contentType = "application/json")
        {
            using var client = Client();
            using var request = new HttpRequestMessage(HttpMethod.Put, $"{server.Authority}/v1/page/{Uri.EscapeDataString(title.Replace(' ', '_'))}")
            {
                Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, contentType),
            };
            if (accessToken is not null)
            {
                request.Headers.Authorization = new("Bearer", accessToken);
            }

            using var response = await client.SendAsync(request);
            return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }

        public async Task<JsonElement> GetAsync(string accessToken, string route)
        {
            using var client = Client();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.Authority}/{route}");
            request.Headers.Authorization = new("Bearer", accessToken);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        public async Task<string> UserAsync(string accessToken)
        {
            using var profile = await ProfileAsync(accessToken);
            return JsonDocument.Parse(await profile.Content.ReadAsStringAsync()).RootElement.GetProperty("username").GetString()!;
        }

        /// <summary>The change tags of a page's revisions, newest first, from the action API, with the consumer's number as <c>n</c>.</summary>
        public async Task<string> TagsAsync(string title)
        {
            using var client = Client();
            var query = $"{server.ActionApi}?action=query&prop=revisions&titles={Uri.EscapeDataString(title)}&rvprop=ids%7Cuser%7Ctags&rvlimit=10&format=json&formatversion=2";
            var body = JsonDocument.Parse(await client.GetStringAsync(new Uri(query))).RootElement;
            var revisions = body.GetProperty("query").GetProperty("pages")[0].GetProperty("revisions").EnumerateArray();
            return string.Join('|', revisions.Select(r => string.Join(',', r.GetProperty("tags").EnumerateArray().Select(t => ConsumerNumber().Replace(t.GetString()!, "n")))));
        }
    }

    [GeneratedRegex("(?<=^OAuth CID: )[0-9]+$")]
    private static partial Regex ConsumerNumber();
}
