using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Emulator;

/// <summary>
/// What the browser meets at the authorize step of each <see cref="EmulatedServer"/> (docs/protocol.md sections 2
/// and 3; test/realwiki/README.md for 1.39).
/// </summary>
public class EmulatedServerBrowserTests
{
    private const string ApprovePath = "/w/index.php/Special:OAuth/approve";

    private static Dictionary<string, string> Query(Uri location)
        => QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    [Fact]
    public async Task On_wikimedia_authorize_shows_the_consent_page_and_allow_redirects_to_the_callback()
    {
        using var wiki = EmulatorHarness.Start(EmulatedServer.Wikimedia);

        using var page = await wiki.Browser.GetAsync(wiki.AuthorizeUrl(EmulatorHarness.AuthorizeParameters(EmulatorHarness.Pkce().Challenge)));
        using var allowed = await wiki.Browser.SendAsync(await TestBrowser.ConsentRequestAsync(page));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.Found, allowed.StatusCode);
        Assert.StartsWith(EmulatorHarness.Callback + "?code=def50200", allowed.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("xyz", Query(allowed.Headers.Location!)["state"]);
    }

    [Fact]
    public async Task On_mediawiki_139_authorize_sends_307_to_approve_and_allow_comes_back_302_through_approval_pass()
    {
        using var wiki = EmulatorHarness.Start(EmulatedServer.MediaWiki139);
        var (verifier, challenge) = EmulatorHarness.Pkce();
        var parameters = EmulatorHarness.AuthorizeParameters(challenge);

        using var authorize = await wiki.Browser.GetAsync(wiki.AuthorizeUrl(parameters));
        Assert.Equal(HttpStatusCode.TemporaryRedirect, authorize.StatusCode);
        var approve = authorize.Headers.Location!;
        Assert.Equal(wiki.Emulator.BaseAddress.GetLeftPart(UriPartial.Authority) + ApprovePath, approve.GetLeftPart(UriPartial.Path));
        Assert.Equal(parameters["code_challenge"], Query(approve)["code_challenge"]);

        using var page = await wiki.Browser.GetAsync(approve);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        using var allowed = await wiki.Browser.SendAsync(await TestBrowser.ConsentRequestAsync(page, "Alice Admin"));
        Assert.Equal(HttpStatusCode.Found, allowed.StatusCode);
        var back = allowed.Headers.Location!;
        Assert.Equal(wiki.Emulator.Authority + "/oauth2/authorize", back.GetLeftPart(UriPartial.Path));
        Assert.Equal(("1", "xyz"), (Query(back)["approval_pass"], Query(back)["state"]));
        Assert.DoesNotContain("user", Query(back).Keys);

        using var callback = await wiki.Browser.GetAsync(back);
        Assert.Equal(HttpStatusCode.Found, callback.StatusCode);
        var query = Query(callback.Headers.Location!);
        Assert.StartsWith(EmulatorHarness.Callback + "?code=def50200", callback.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("xyz", query["state"]);

        // The code is Alice's: the approval was passed for the user picked on the page.
        var tokens = (await wiki.ExchangeAsync(query["code"], verifier)).Body;
        var profile = await wiki.GetAsync("w/rest.php/oauth2/resource/profile", tokens.GetProperty("access_token").GetString());
        Assert.Contains("\"username\":\"Alice Admin\"", profile.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, false, 1)]
    [InlineData(EmulatedServer.MediaWiki139, true, 2)]
    public async Task Cancel_redirects_to_the_callback_without_state(EmulatedServer server, bool message, int redirects)
    {
        using var wiki = EmulatorHarness.Start(server);
        using var page = await wiki.UntilCallbackAsync(await wiki.Browser.GetAsync(wiki.AuthorizeUrl(EmulatorHarness.AuthorizeParameters(EmulatorHarness.Pkce().Challenge))));
        var before = wiki.Browser.History.Count;

        using var cancelled = await wiki.UntilCallbackAsync(await wiki.Browser.SendAsync(await TestBrowser.ConsentRequestAsync(page, allow: false)));

        Assert.Equal(HttpStatusCode.Found, cancelled.StatusCode);
        Assert.Equal(redirects, wiki.Browser.History.Count - before);
        Assert.Equal(server == EmulatedServer.MediaWiki139, wiki.Browser.History.Any(u => u.Query.Contains("approval_cancel=1", StringComparison.Ordinal)));
        var query = Query(cancelled.Headers.Location!);
        Assert.StartsWith(EmulatorHarness.Callback + "?error=unauthorized_client&error_description=User%20has%20rejected", cancelled.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.False(query.ContainsKey("state"));
        Assert.Equal(message ? "User has rejected the request from client application" : null, query.GetValueOrDefault("message"));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, new[] { HttpStatusCode.Found })]
    [InlineData(EmulatedServer.MediaWiki139, new[] { HttpStatusCode.TemporaryRedirect, HttpStatusCode.Found, HttpStatusCode.Found })]
    public async Task Auto_approval_skips_the_consent_page_through_the_servers_redirects(EmulatedServer server, HttpStatusCode[] hops)
    {
        using var wiki = EmulatorHarness.Start(server, o => o.AutoApproveAs = "Newcomer");
        var statuses = new List<HttpStatusCode>();

        var response = await wiki.Browser.GetAsync(wiki.AuthorizeUrl(EmulatorHarness.AuthorizeParameters(EmulatorHarness.Pkce().Challenge)));
        statuses.Add(response.StatusCode);
        while (!response.Headers.Location!.ToString().StartsWith(EmulatorHarness.Callback, StringComparison.Ordinal))
        {
            var next = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location);
            response.Dispose();
            response = await wiki.Browser.GetAsync(next);
            statuses.Add(response.StatusCode);
        }

        using (response)
        {
            Assert.Equal(hops, statuses);
            Assert.Equal("xyz", Query(response.Headers.Location!)["state"]);
        }
    }

    [Fact]
    public async Task On_mediawiki_139_approval_pass_without_a_user_asks_again()
    {
        using var wiki = EmulatorHarness.Start(EmulatedServer.MediaWiki139);
        var parameters = EmulatorHarness.AuthorizeParameters(EmulatorHarness.Pkce().Challenge);
        parameters["approval_pass"] = "1";

        // A client without the cookie of the consent page, as a browser without the wiki's session.
        using var response = await wiki.Http.GetAsync(wiki.AuthorizeUrl(parameters));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(ApprovePath, response.Headers.Location!.AbsolutePath);
        Assert.DoesNotContain("approval_pass", Query(response.Headers.Location!).Keys);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, false)]
    [InlineData(EmulatedServer.MediaWiki139, true)]
    public async Task An_unknown_scope_redirects_with_state_and_message_on_mediawiki_139(EmulatedServer server, bool message)
    {
        using var wiki = EmulatorHarness.Start(server);
        var parameters = EmulatorHarness.AuthorizeParameters(EmulatorHarness.Pkce().Challenge, scope: "basic openid");

        using var response = await wiki.Browser.GetAsync(wiki.AuthorizeUrl(parameters));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var query = Query(response.Headers.Location!);
        Assert.Equal(("xyz", "invalid_scope"), (query["state"], query["error"]));
        Assert.Equal(message ? query["error_description"] : null, query.GetValueOrDefault("message"));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, "client_id", "ffffffffffffffffffffffffffffffff", HttpStatusCode.Unauthorized)]
    [InlineData(EmulatedServer.Wikimedia, "redirect_uri", "http://localhost:5555/signin-wikimedia", HttpStatusCode.Unauthorized)]
    [InlineData(EmulatedServer.Wikimedia, "code_challenge", null, HttpStatusCode.BadRequest)]
    [InlineData(EmulatedServer.Wikimedia, "client_id", "not-hex", HttpStatusCode.BadRequest)]
    [InlineData(EmulatedServer.MediaWiki139, "client_id", "ffffffffffffffffffffffffffffffff", HttpStatusCode.OK)]
    [InlineData(EmulatedServer.MediaWiki139, "redirect_uri", "http://localhost:5555/signin-wikimedia", HttpStatusCode.OK)]
    [InlineData(EmulatedServer.MediaWiki139, "code_challenge", null, HttpStatusCode.OK)]
    [InlineData(EmulatedServer.MediaWiki139, "client_id", "not-hex", HttpStatusCode.OK)]
    [InlineData(EmulatedServer.MediaWiki143, "redirect_uri", "http://localhost:5555/signin-wikimedia", HttpStatusCode.Unauthorized)]
    [InlineData(EmulatedServer.MediaWiki143, "code_challenge", null, HttpStatusCode.BadRequest)]
    public async Task Authorize_errors_are_html_pages_with_the_servers_status(EmulatedServer server, string parameter, string? value, HttpStatusCode expected)
    {
        using var wiki = EmulatorHarness.Start(server);
        // The public consumer, for which a missing code_challenge is an error.
        var parameters = EmulatorHarness.AuthorizeParameters(EmulatorHarness.Pkce().Challenge, WikimediaEmulatorOptions.DefaultPublicClientId);
        parameters[parameter] = value;
        if (value is null)
        {
            parameters["code_challenge_method"] = null;
        }

        using var response = await wiki.Browser.GetAsync(wiki.AuthorizeUrl(parameters));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<h1>Error</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
