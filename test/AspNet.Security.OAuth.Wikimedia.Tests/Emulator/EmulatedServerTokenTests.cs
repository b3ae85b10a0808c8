using System.Net;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Emulator;

/// <summary>
/// The token endpoint of each <see cref="EmulatedServer"/>, as docs/protocol.md section 4 and test/realwiki/README.md
/// describe them.
/// </summary>
public class EmulatedServerTokenTests
{
    private static string? Error(JsonElement body) => body.TryGetProperty("error", out var error) ? error.GetString() : null;

    private static string? Message(JsonElement body) => body.TryGetProperty("message", out var message) ? message.GetString() : null;

    private static string? Hint(JsonElement body) => body.GetProperty("hint").GetString();

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, 14400)]
    [InlineData(EmulatedServer.MediaWiki139, 3600)]
    public async Task Token_answers_give_the_servers_expires_in_and_a_jwt_that_expires_then(EmulatedServer server, int expiresIn)
    {
        using var wiki = EmulatorHarness.Start(server);

        var tokens = await wiki.TokensAsync();
        var refreshed = (await wiki.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!)).Body;

        Assert.Equal(["token_type", "expires_in", "access_token", "refresh_token"], tokens.EnumerateObject().Select(p => p.Name));
        Assert.Equal(expiresIn, tokens.GetProperty("expires_in").GetInt32());
        Assert.Equal(expiresIn, refreshed.GetProperty("expires_in").GetInt32());
        var claims = EmulatorHarness.Claims(tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(expiresIn, claims.GetProperty("exp").GetDouble() - claims.GetProperty("iat").GetDouble(), 3);
    }

    [Fact]
    public async Task An_access_token_lifetime_set_explicitly_wins_over_the_servers()
    {
        using var wiki = EmulatorHarness.Start(EmulatedServer.MediaWiki139, o => o.AccessTokenLifetime = TimeSpan.FromMinutes(10));

        Assert.Equal(600, (await wiki.TokensAsync()).GetProperty("expires_in").GetInt32());
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, "https://meta.wikimedia.org", "mw:CentralAuth::12345678", true)]
    [InlineData(EmulatedServer.MediaWiki139, null, "12345678", false)]
    public async Task Access_tokens_name_the_issuer_and_user_as_the_server_does(EmulatedServer server, string? issuer, string sub, bool wikimediaClaims)
    {
        using var wiki = EmulatorHarness.Start(server);

        var claims = EmulatorHarness.Claims((await wiki.TokensAsync()).GetProperty("access_token").GetString()!);

        // A 1.39 wiki is its own issuer: its server URL (test/realwiki/README.md).
        Assert.Equal(issuer ?? wiki.Emulator.BaseAddress.GetLeftPart(UriPartial.Authority), claims.GetProperty("iss").GetString());
        Assert.Equal(sub, claims.GetProperty("sub").GetString());
        Assert.Equal(wikimediaClaims, claims.TryGetProperty("ratelimit", out _));
        Assert.Equal(["basic", "mwoauth-authonlyprivate"], claims.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, HttpStatusCode.BadRequest, "invalid_grant", false)]
    [InlineData(EmulatedServer.MediaWiki139, HttpStatusCode.Unauthorized, "invalid_request", true)]
    public async Task A_reused_refresh_token_is_refused_in_the_servers_words(EmulatedServer server, HttpStatusCode status, string error, bool message)
    {
        using var wiki = EmulatorHarness.Start(server);
        var refreshToken = (await wiki.TokensAsync()).GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await wiki.RefreshAsync(refreshToken)).Status);
        // Past Wikimedia's grace period; 1.39 has none (docs/protocol.md section 4).
        wiki.Time.Advance(wiki.Emulator.Options.RefreshGraceWindow);

        var (reusedStatus, reused) = await wiki.RefreshAsync(refreshToken);

        Assert.Equal((status, error), (reusedStatus, Error(reused)));
        Assert.Equal("The refresh token is invalid.", reused.GetProperty("error_description").GetString());
        Assert.Equal("Token has been revoked", Hint(reused));
        Assert.Equal(message ? "The refresh token is invalid." : null, Message(reused));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, HttpStatusCode.BadRequest, "invalid_grant")]
    [InlineData(EmulatedServer.MediaWiki139, HttpStatusCode.Unauthorized, "invalid_request")]
    public async Task An_expired_refresh_token_is_refused_in_the_servers_words(EmulatedServer server, HttpStatusCode status, string error)
    {
        using var wiki = EmulatorHarness.Start(server, o => o.RefreshTokenLifetime = TimeSpan.FromDays(30));
        var refreshToken = (await wiki.TokensAsync()).GetProperty("refresh_token").GetString()!;
        wiki.Time.Advance(TimeSpan.FromDays(30));

        var (expiredStatus, expired) = await wiki.RefreshAsync(refreshToken);

        Assert.Equal((status, error, "Token has expired"), (expiredStatus, Error(expired), Hint(expired)));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, true)]
    [InlineData(EmulatedServer.MediaWiki139, false)]
    public async Task A_rotated_refresh_token_works_for_the_grace_period_on_wikimedia_only(EmulatedServer server, bool worksAgain)
    {
        using var wiki = EmulatorHarness.Start(server);
        var refreshToken = (await wiki.TokensAsync()).GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await wiki.RefreshAsync(refreshToken)).Status);
        wiki.Time.Advance(TimeSpan.FromSeconds(599));

        Assert.Equal(worksAgain, (await wiki.RefreshAsync(refreshToken)).Status == HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_grace_period_set_explicitly_wins_over_strict_rotation()
    {
        using var wiki = EmulatorHarness.Start(EmulatedServer.MediaWiki139, o => o.RefreshGraceWindow = TimeSpan.FromSeconds(60));
        var refreshToken = (await wiki.TokensAsync()).GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await wiki.RefreshAsync(refreshToken)).Status);

        Assert.Equal(HttpStatusCode.OK, (await wiki.RefreshAsync(refreshToken)).Status);
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, "invalid_grant", "Authorization code has expired, been revoked or was issued to another client")]
    [InlineData(EmulatedServer.MediaWiki139, "invalid_request", "Authorization code has been revoked")]
    public async Task A_reused_code_is_refused_in_the_servers_words(EmulatedServer server, string error, string hint)
    {
        using var wiki = EmulatorHarness.Start(server);
        var (verifier, challenge) = EmulatorHarness.Pkce();
        var code = await wiki.CodeAsync(challenge);
        Assert.Equal(HttpStatusCode.OK, (await wiki.ExchangeAsync(code, verifier)).Status);

        var (status, reused) = await wiki.ExchangeAsync(code, verifier);

        Assert.Equal((HttpStatusCode.BadRequest, error, hint), (status, Error(reused), Hint(reused)));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia)]
    [InlineData(EmulatedServer.MediaWiki139)]
    public async Task Secret_and_verifier_errors_are_the_same_on_both_servers(EmulatedServer server)
    {
        using var wiki = EmulatorHarness.Start(server);
        var (verifier, challenge) = EmulatorHarness.Pkce();

        var wrongSecret = await wiki.ExchangeAsync(await wiki.CodeAsync(challenge), verifier, secret: "wrong");
        var wrongVerifier = await wiki.ExchangeAsync(await wiki.CodeAsync(challenge), EmulatorHarness.Pkce().Verifier);
        var noVerifier = await wiki.ExchangeAsync(await wiki.CodeAsync(challenge), verifier: null);

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (wrongSecret.Status, Error(wrongSecret.Body)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (wrongVerifier.Status, Error(wrongVerifier.Body)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (noVerifier.Status, Error(noVerifier.Body)));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, false)]
    [InlineData(EmulatedServer.MediaWiki139, true)]
    public async Task Error_bodies_repeat_the_description_as_message_on_mediawiki_139_only(EmulatedServer server, bool message)
    {
        using var wiki = EmulatorHarness.Start(server);

        var (_, body) = await wiki.TokenAsync(("grant_type", "client_credentials"), ("client_id", WikimediaEmulatorOptions.DefaultClientId), ("client_secret", "wrong"));

        Assert.Equal("invalid_client", Error(body));
        Assert.Equal(message ? body.GetProperty("error_description").GetString() : null, Message(body));
    }

    [Theory]
    [InlineData(EmulatedServer.Wikimedia, HttpStatusCode.OK, null)]
    [InlineData(EmulatedServer.MediaWiki139, HttpStatusCode.Unauthorized, "invalid_client")]
    public async Task A_public_consumers_refresh_is_refused_by_mediawiki_139(EmulatedServer server, HttpStatusCode expected, string? error)
    {
        using var wiki = EmulatorHarness.Start(server);
        var (verifier, challenge) = EmulatorHarness.Pkce();
        var code = await wiki.CodeAsync(challenge, WikimediaEmulatorOptions.DefaultPublicClientId);
        var tokens = (await wiki.ExchangeAsync(code, verifier, WikimediaEmulatorOptions.DefaultPublicClientId, secret: null)).Body;

        var (status, body) = await wiki.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!, WikimediaEmulatorOptions.DefaultPublicClientId, secret: null);

        Assert.Equal((expected, error), (status, Error(body)));
    }

    [Fact]
    public async Task Refresh_for_public_consumers_set_explicitly_wins_over_mediawiki_139()
    {
        using var wiki = EmulatorHarness.Start(EmulatedServer.MediaWiki139, o => o.RefuseRefreshForPublicClients = false);
        var (verifier, challenge) = EmulatorHarness.Pkce();
        var code = await wiki.CodeAsync(challenge, WikimediaEmulatorOptions.DefaultPublicClientId);
        var tokens = (await wiki.ExchangeAsync(code, verifier, WikimediaEmulatorOptions.DefaultPublicClientId, secret: null)).Body;

        Assert.Equal(HttpStatusCode.OK, (await wiki.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!, WikimediaEmulatorOptions.DefaultPublicClientId, secret: null)).Status);
    }
}
