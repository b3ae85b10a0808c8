using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Emulator;

/// <summary>The emulator is as strict as docs/protocol.md says the real server is.</summary>
public sealed class EmulatorProtocolTests : IDisposable
{
    private const string Callback = "http://127.0.0.1:5555/signin-wikimedia";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly WikimediaEmulator _emulator;
    private readonly TestBrowser _browser = new();
    private readonly HttpClient _http = new();

    public EmulatorProtocolTests()
    {
        _emulator = WikimediaEmulator.Start(o => o.TimeProvider = _time);
    }

    public void Dispose()
    {
        _http.Dispose();
        _browser.Dispose();
        _emulator.Dispose();
    }

    private static (string Verifier, string Challenge) Pkce()
    {
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (verifier, WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    private Uri AuthorizeUrl(IDictionary<string, string?> parameters)
        => new(QueryHelpers.AddQueryString(_emulator.Authority + "/oauth2/authorize", parameters));

    private static Dictionary<string, string?> AuthorizeParameters(string? challenge, string clientId = WikimediaEmulatorOptions.DefaultClientId) => new()
    {
        ["response_type"] = "code",
        ["client_id"] = clientId,
        ["redirect_uri"] = Callback,
        ["state"] = "xyz",
        ["code_challenge"] = challenge,
        ["code_challenge_method"] = challenge is null ? null : "S256",
    };

    /// <summary>Gets a code through the consent page, as a user who clicks Allow.</summary>
    private async Task<string> CodeAsync(string? challenge, string clientId = WikimediaEmulatorOptions.DefaultClientId)
    {
        var parameters = AuthorizeParameters(challenge, clientId).Where(p => p.Value is not null).ToDictionary();
        using var page = await _browser.GetAsync(AuthorizeUrl(parameters));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var redirect = await _browser.SendAsync(await TestBrowser.ConsentRequestAsync(page));
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        var query = QueryHelpers.ParseQuery(redirect.Headers.Location!.Query);
        Assert.Equal("xyz", query["state"]);
        return query["code"]!;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> TokenAsync(params (string Name, string? Value)[] form)
    {
        using var content = new FormUrlEncodedContent(form.Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string>(f.Name, f.Value!)));
        using var response = await _http.PostAsync(new Uri(_emulator.Authority + "/oauth2/access_token"), content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> ExchangeAsync(string code, string? verifier, string? secret = WikimediaEmulatorOptions.DefaultClientSecret, string redirectUri = Callback)
        => TokenAsync(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectUri), ("code_verifier", verifier),
            ("client_id", WikimediaEmulatorOptions.DefaultClientId), ("client_secret", secret));

    [Fact]
    public async Task A_code_is_exchanged_once_for_tokens_in_the_servers_field_order()
    {
        var (verifier, challenge) = Pkce();
        var code = await CodeAsync(challenge);

        var (status, body) = await ExchangeAsync(code, verifier);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["token_type", "expires_in", "access_token", "refresh_token"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(14400, body.GetProperty("expires_in").GetInt32());
        Assert.StartsWith("def50200", code, StringComparison.Ordinal);

        var (replayStatus, replay) = await ExchangeAsync(code, verifier);
        Assert.Equal(HttpStatusCode.BadRequest, replayStatus);
        Assert.Equal("invalid_grant", replay.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Pkce_is_verified_missing_malformed_and_mismatched()
    {
        var (_, challenge) = Pkce();

        Assert.Equal("invalid_request", (await ExchangeAsync(await CodeAsync(challenge), verifier: null)).Body.GetProperty("error").GetString());
        Assert.Equal("invalid_request", (await ExchangeAsync(await CodeAsync(challenge), verifier: "short")).Body.GetProperty("error").GetString());
        var mismatch = await ExchangeAsync(await CodeAsync(challenge), Pkce().Verifier);
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.Status);
        Assert.Equal("invalid_grant", mismatch.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_verifier_without_a_challenge_is_refused()
    {
        var result = await ExchangeAsync(await CodeAsync(challenge: null), Pkce().Verifier);
        Assert.Equal("invalid_request", result.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Codes_expire_after_ten_minutes()
    {
        var (verifier, challenge) = Pkce();
        var code = await CodeAsync(challenge);
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal("invalid_grant", (await ExchangeAsync(code, verifier)).Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Client_authentication_and_redirect_uri_follow_the_error_table()
    {
        var (verifier, challenge) = Pkce();

        var wrongSecret = await ExchangeAsync(await CodeAsync(challenge), verifier, secret: "wrong");
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (wrongSecret.Status, wrongSecret.Body.GetProperty("error").GetString()));

        var noSecret = await ExchangeAsync(await CodeAsync(challenge), verifier, secret: null);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (noSecret.Status, noSecret.Body.GetProperty("error").GetString()));

        var otherRedirect = await ExchangeAsync(await CodeAsync(challenge), verifier, redirectUri: "http://127.0.0.1:5555/other");
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (otherRedirect.Status, otherRedirect.Body.GetProperty("error").GetString()));

        var unknownClient = await TokenAsync(("grant_type", "authorization_code"), ("code", "x"), ("client_id", "ffffffffffffffffffffffffffffffff"), ("client_secret", "x"));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (unknownClient.Status, unknownClient.Body.GetProperty("error").GetString()));

        var noGrant = await TokenAsync(("client_id", WikimediaEmulatorOptions.DefaultClientId));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (noGrant.Status, noGrant.Body.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Http_basic_client_authentication_is_accepted()
    {
        var (verifier, challenge) = Pkce();
        var code = await CodeAsync(challenge);
        using var request = new HttpRequestMessage(HttpMethod.Post, _emulator.Authority + "/oauth2/access_token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = Callback, ["code_verifier"] = verifier }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{WikimediaEmulatorOptions.DefaultClientId}:{WikimediaEmulatorOptions.DefaultClientSecret}")));

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Only_form_encoded_token_requests_are_accepted()
    {
        using var content = new StringContent("""{"grant_type":"client_credentials"}""", Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(_emulator.Authority + "/oauth2/access_token"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Client_credentials_gives_no_refresh_token_and_public_clients_cannot_use_it()
    {
        var confidential = await TokenAsync(("grant_type", "client_credentials"), ("client_id", WikimediaEmulatorOptions.DefaultClientId), ("client_secret", WikimediaEmulatorOptions.DefaultClientSecret));
        Assert.Equal(HttpStatusCode.OK, confidential.Status);
        Assert.False(confidential.Body.TryGetProperty("refresh_token", out _));

        var @public = await TokenAsync(("grant_type", "client_credentials"), ("client_id", WikimediaEmulatorOptions.DefaultPublicClientId));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (@public.Status, @public.Body.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData("client_id", "not-hex", HttpStatusCode.BadRequest)]
    [InlineData("response_type", "token", HttpStatusCode.BadRequest)]
    [InlineData("client_id", "ffffffffffffffffffffffffffffffff", HttpStatusCode.Unauthorized)]
    [InlineData("redirect_uri", "http://127.0.0.1:5555/signin-wikimedia/", HttpStatusCode.Unauthorized)]
    [InlineData("redirect_uri", "http://localhost:5555/signin-wikimedia", HttpStatusCode.Unauthorized)]
    [InlineData("redirect_uri", "https://evil.example/signin-wikimedia", HttpStatusCode.Unauthorized)]
    [InlineData("code_challenge", "too-short", HttpStatusCode.BadRequest)]
    public async Task Authorize_errors_without_a_safe_redirect_are_html_pages(string parameter, string value, HttpStatusCode expected)
    {
        var parameters = AuthorizeParameters(Pkce().Challenge);
        parameters[parameter] = value;

        using var response = await _browser.GetAsync(AuthorizeUrl(parameters));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task An_unknown_scope_redirects_with_state_error_and_hint()
    {
        var parameters = AuthorizeParameters(Pkce().Challenge);
        parameters["scope"] = "basic openid";

        using var response = await _browser.GetAsync(AuthorizeUrl(parameters));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.Equal(("xyz", "invalid_scope"), (query["state"].ToString(), query["error"].ToString()));
        Assert.Contains("openid", query["hint"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loopback_ip_callbacks_ignore_the_port_and_the_server_appends_to_an_existing_query()
    {
        _emulator.Client().RedirectUris.Add("https://tool.example.org/callback?from=wiki");
        var parameters = AuthorizeParameters(Pkce().Challenge);
        parameters["redirect_uri"] = "https://tool.example.org/callback?from=wiki";

        using var page = await _browser.GetAsync(AuthorizeUrl(parameters));
        using var redirect = await _browser.SendAsync(await TestBrowser.ConsentRequestAsync(page));

        Assert.StartsWith("https://tool.example.org/callback?from=wiki&code=def50200", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_approve_skips_the_consent_page()
    {
        _emulator.Options.AutoApproveAs = "Alice Admin";

        using var response = await _browser.GetAsync(AuthorizeUrl(AuthorizeParameters(Pkce().Challenge)));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith(Callback + "?code=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protected_routes_answer_like_the_edge_for_missing_expired_and_revoked_tokens()
    {
        var (verifier, challenge) = Pkce();
        var token = (await ExchangeAsync(await CodeAsync(challenge), verifier)).Body.GetProperty("access_token").GetString()!;
        var profile = new Uri(_emulator.Authority + "/oauth2/resource/profile");

        async Task<(HttpStatusCode, string)> GetAsync(string? authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, profile);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await _http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync("Bearer " + token)).Item1);
        Assert.Contains("access_denied", (await GetAsync(null)).Item2, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("bearer " + token)).Item1);

        _emulator.RevokeGrants("Example User");
        var revoked = await GetAsync("Bearer " + token);
        Assert.Equal(HttpStatusCode.Forbidden, revoked.Item1);

        _time.Advance(TimeSpan.FromHours(4));
        Assert.Equal((HttpStatusCode.Unauthorized, """{"httpCode":401,"httpReason":"Jwt is expired"}"""), await GetAsync("Bearer " + token));
    }

    [Fact]
    public async Task The_per_wiki_rest_routes_serve_the_gateways_data_with_its_token_rules_and_faults()
    {
        var (verifier, challenge) = Pkce();
        var token = (await ExchangeAsync(await CodeAsync(challenge), verifier)).Body.GetProperty("access_token").GetString()!;
        string[][] pairs =
        [
            ["core/v1/wikipedia/en/page/AC%2FDC/bare", "w/rest.php/v1/page/AC%2FDC/bare"],
            ["core/v1/wikipedia/en/search/page?q=planet&limit=5", "w/rest.php/v1/search/page?q=planet&limit=5"],
        ];

        async Task<(HttpStatusCode Status, string Body)> GetAsync(string route, string? bearer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_emulator.BaseAddress, route));
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using var response = await _http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(new Uri(_emulator.BaseAddress, "w/rest.php/"), _emulator.RestApiBaseAddress);
        foreach (var (gateway, perWiki) in pairs.Select(p => (p[0], p[1])))
        {
            var served = await GetAsync(perWiki, token);
            Assert.Equal(HttpStatusCode.OK, served.Status);
            Assert.Equal(await GetAsync(gateway, token), served);
            Assert.Equal(await GetAsync(gateway, null), await GetAsync(perWiki, null));
        }

        Assert.Contains("AC/DC", (await GetAsync(pairs[0][1], token)).Body, StringComparison.Ordinal);
        Assert.Contains("Earth", (await GetAsync(pairs[1][1], token)).Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(pairs[0][1], null)).Status);

        _emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.ServiceUnavailable, Times = 1 });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(pairs[0][1], token)).Status);

        _emulator.RevokeGrants("Example User");
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(pairs[0][1], token)).Status);
        Assert.Equal(await GetAsync(pairs[1][0], token), await GetAsync(pairs[1][1], token));

        _time.Advance(TimeSpan.FromHours(4));
        Assert.Equal((HttpStatusCode.Unauthorized, """{"httpCode":401,"httpReason":"Jwt is expired"}"""), await GetAsync(pairs[1][1], token));
    }

    [Fact]
    public async Task The_scopes_route_lists_the_tokens_grants()
    {
        var (verifier, challenge) = Pkce();
        var token = (await ExchangeAsync(await CodeAsync(challenge), verifier)).Body.GetProperty("access_token").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Get, _emulator.Authority + "/oauth2/resource/scopes");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"scopes":["basic","mwoauth-authonlyprivate"]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_fault_with_a_count_applies_that_many_times_then_the_real_answer_returns()
    {
        _emulator.Faults.Add(EmulatorEndpoint.Token, new EmulatorFault { StatusCode = HttpStatusCode.TooManyRequests, Times = 1, Headers = { ["Retry-After"] = "30" } });

        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = WikimediaEmulatorOptions.DefaultClientId, ["client_secret"] = WikimediaEmulatorOptions.DefaultClientSecret });
        using var first = await _http.PostAsync(new Uri(_emulator.Authority + "/oauth2/access_token"), content);
        using var second = await _http.PostAsync(new Uri(_emulator.Authority + "/oauth2/access_token"), content);

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), first.Headers.RetryAfter!.Delta);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, _emulator.TokenRequests.Count);
    }
}
