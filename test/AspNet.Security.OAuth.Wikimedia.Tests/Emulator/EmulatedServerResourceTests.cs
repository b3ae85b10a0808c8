using System.Net;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Emulator;

/// <summary>
/// The Bearer-protected routes of each <see cref="EmulatedServer"/>: how the profile is labelled, who refuses a
/// revoked or expired token and how, and what a token without grants meets (docs/protocol.md sections 2 and 6).
/// </summary>
public class EmulatedServerResourceTests
{
    private const string Profile = "w/rest.php/oauth2/resource/profile";

    private static string? Field(string json, string name)
        => JsonDocument.Parse(json).RootElement.TryGetProperty(name, out var value) ? value.ToString() : null;

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, "application/json")]
    [InlineData(EmulatedServer.MediaWiki139, "text/html")]
    public async Task The_profile_is_json_labelled_as_the_server_labels_it(EmulatedServer server, string mediaType)
    {
        using var wiki = EmulatorHarness.Start(server);
        var token = (await wiki.TokensAsync()).GetProperty("access_token").GetString();

        var (status, type, body) = await wiki.GetAsync(Profile, token);

        Assert.Equal((HttpStatusCode.OK, mediaType), (status, type));
        Assert.Equal(("12345678", "Example User"), (Field(body, "sub"), Field(body, "username")));
    }

    [Fact]
    public async Task A_profile_content_type_set_explicitly_wins_over_the_servers()
    {
        using var wiki = EmulatorHarness.Start(EmulatedServer.MediaWiki139, o => o.ProfileContentType = "application/json");
        var token = (await wiki.TokensAsync()).GetProperty("access_token").GetString();

        Assert.Equal("application/json", (await wiki.GetAsync(Profile, token)).MediaType);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, HttpStatusCode.Forbidden, null)]
    [InlineData(EmulatedServer.MediaWiki139, HttpStatusCode.Unauthorized, "Access token has been revoked")]
    public async Task The_access_token_from_before_a_refresh_is_revoked_at_once(EmulatedServer server, HttpStatusCode status, string? hint)
    {
        using var wiki = EmulatorHarness.Start(server);
        var tokens = await wiki.TokensAsync();
        Assert.Equal(HttpStatusCode.OK, (await wiki.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!)).Status);

        var (refusedStatus, _, body) = await wiki.GetAsync(Profile, tokens.GetProperty("access_token").GetString());

        Assert.Equal((status, hint), (refusedStatus, Field(body, "hint")));
        Assert.Equal(hint is null ? null : "access_denied", Field(body, "error"));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, """{"httpCode":401,"httpReason":"Jwt is expired"}""")]
    [InlineData(EmulatedServer.MediaWiki139, """{"error":"access_denied","error_description":"The resource owner or authorization server denied the request.","hint":"Access token could not be verified","message":"The resource owner or authorization server denied the request."}""")]
    public async Task An_expired_access_token_is_refused_by_the_edge_or_by_the_wiki(EmulatedServer server, string expected)
    {
        using var wiki = EmulatorHarness.Start(server);
        var token = (await wiki.TokensAsync()).GetProperty("access_token").GetString();
        wiki.Time.Advance(wiki.Emulator.Options.AccessTokenLifetime);

        var (status, _, body) = await wiki.GetAsync(Profile, token);

        Assert.Equal((HttpStatusCode.Unauthorized, expected), (status, body));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, false)]
    [InlineData(EmulatedServer.MediaWiki139, true)]
    public async Task A_request_without_a_bearer_token_is_access_denied_with_message_on_mediawiki_139(EmulatedServer server, bool message)
    {
        using var wiki = EmulatorHarness.Start(server);

        var (status, _, body) = await wiki.GetAsync(Profile, accessToken: null);

        Assert.Equal((HttpStatusCode.Unauthorized, "access_denied"), (status, Field(body, "error")));
        Assert.Equal(message, Field(body, "message") is not null);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task Requested_scopes_are_intersected_with_the_consumers_grants(EmulatedServer server)
    {
        using var wiki = EmulatorHarness.Start(server);

        var token = (await wiki.TokensAsync(scope: "basic editpage")).GetProperty("access_token").GetString()!;

        Assert.Equal(["basic"], EmulatorHarness.Claims(token).GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        var (status, _, body) = await wiki.GetAsync("w/rest.php/oauth2/resource/scopes", token);
        Assert.Equal((HttpStatusCode.OK, """{"scopes":["basic"]}"""), (status, body));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, "w/rest.php/oauth2/resource/profile")]
    [InlineData(EmulatedServer.Wikimedia, "w/rest.php/oauth2/resource/scopes")]
    [InlineData(EmulatedServer.Wikimedia, "w/rest.php/v1/page/Earth/bare")]
    [InlineData(EmulatedServer.Wikimedia, "core/v1/wikipedia/en/search/page?q=Earth")]
    [InlineData(EmulatedServer.MediaWiki139, "w/rest.php/oauth2/resource/profile")]
    [InlineData(EmulatedServer.MediaWiki139, "w/rest.php/oauth2/resource/scopes")]
    [InlineData(EmulatedServer.MediaWiki139, "w/rest.php/v1/page/Earth/bare")]
    [InlineData(EmulatedServer.MediaWiki139, "core/v1/wikipedia/en/search/page?q=Earth")]
    public async Task A_token_left_with_no_grant_is_issued_and_every_call_with_it_is_an_html_500(EmulatedServer server, string route)
    {
        using var wiki = EmulatorHarness.Start(server, o => o.Clients[0].Grants.Remove("basic"));

        // basic is a known grant, but not the consumer's: nothing is left (docs/protocol.md section 2).
        var tokens = await wiki.TokensAsync(scope: "basic");
        var token = tokens.GetProperty("access_token").GetString()!;

        Assert.Empty(EmulatorHarness.Claims(token).GetProperty("scopes").EnumerateArray());
        var (status, type, _) = await wiki.GetAsync(route, token);
        Assert.Equal((HttpStatusCode.InternalServerError, "text/html"), (status, type));
    }
}
