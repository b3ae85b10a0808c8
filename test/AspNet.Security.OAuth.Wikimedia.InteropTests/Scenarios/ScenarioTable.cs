using System.Text;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests.Scenarios;

/// <summary>
/// One table of protocol scenarios, each run against the real MediaWiki (1.39, or 1.43 when ./test.sh runs the tests
/// with REALWIKI_VERSION=1.43) and against the emulator in the matching mode, asserting the same observable outcome:
/// status, error code, redirect, fields. This is what holds the emulator to the real servers (docs/interop.md).
/// </summary>
[Collection(RealWikiGroup.Name)]
public sealed partial class ScenarioTable(RealWiki wiki)
{
    public enum Server
    {
        RealWiki,
        Emulator,
    }

    /// <summary>Each scenario: what it does, and what MediaWiki 1.39 answers (observed on the real server).</summary>
    private static readonly Dictionary<string, (Func<Run, Task<string>> Act, string Expected)> Table = new()
    {
        ["allow: 307 to the consent form, 302 back to authorize, 302 to the callback with code and state"] = (
            async run => Describe(await run.AuthorizeAsync(ConsumerKind.Basic, allow: true)),
            "redirects=307,302,302; code=yes; state=s-1; error=-; message=-"),
        ["cancel: to the callback with unauthorized_client and message, no state"] = (
            async run => Describe(await run.AuthorizeAsync(ConsumerKind.Basic, allow: false)),
            "redirects=307,302,302; code=no; state=-; error=unauthorized_client; message=yes"),
        ["code exchange: Bearer, expires_in 3600, a JWT and a refresh token, no scope, no-store"] = (
            async run => Token(await run.ExchangeAsync(ConsumerKind.Basic)),
            "200 json no-store; token_type=Bearer; expires_in=3600; access_token=jwt; refresh_token=def50200…; scope=-"),
        ["a code used twice: 400 invalid_request"] = (
            async run =>
            {
                var (code, pkce) = await run.CodeAsync(ConsumerKind.Basic);
                using var first = await run.TokenAsync(ConsumerKind.Basic, Form.Code(code, pkce.Verifier));
                return Error(await run.TokenAsync(ConsumerKind.Basic, Form.Code(code, pkce.Verifier)));
            },
            "400 invalid_request message=yes"),
        ["a wrong client secret: 401 invalid_client"] = (
            async run =>
            {
                var (code, pkce) = await run.CodeAsync(ConsumerKind.Basic);
                return Error(await run.TokenAsync(ConsumerKind.Basic, Form.Code(code, pkce.Verifier), secret: "0000000000000000000000000000000000000000"));
            },
            "401 invalid_client message=yes"),
        ["a wrong PKCE verifier: 400 invalid_grant"] = (
            async run =>
            {
                var (code, _) = await run.CodeAsync(ConsumerKind.Basic);
                return Error(await run.TokenAsync(ConsumerKind.Basic, Form.Code(code, Pkce.Create().Verifier)));
            },
            "400 invalid_grant message=yes"),
        ["a missing PKCE verifier: 400 invalid_request"] = (
            async run =>
            {
                var (code, _) = await run.CodeAsync(ConsumerKind.Basic);
                return Error(await run.TokenAsync(ConsumerKind.Basic, Form.Code(code, verifier: null)));
            },
            "400 invalid_request message=yes"),
        ["a missing redirect_uri: 400 invalid_request"] = (
            async run =>
            {
                var (code, pkce) = await run.CodeAsync(ConsumerKind.Basic);
                return Error(await run.TokenAsync(ConsumerKind.Basic, Form.Code(code, pkce.Verifier).Where(p => p.Key != "redirect_uri")));
            },
            "400 invalid_request message=yes"),
        ["refresh rotates both tokens; the old refresh token is then 401 invalid_request, revoked"] = (
            async run =>
            {
                var tokens = await run.ExchangeAsync(ConsumerKind.Basic);
                var old = tokens.GetProperty("refresh_token").GetString()!;
                using var refreshed = await run.TokenAsync(ConsumerKind.Basic, Form.Refresh(old));
                var rotated = JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync()).RootElement;
                var again = await run.TokenAsync(ConsumerKind.Basic, Form.Refresh(old));
                return $"{(int)refreshed.StatusCode} new refresh token={rotated.GetProperty("refresh_token").GetString() != old}; reuse: {await ErrorWithHint(again)}";
            },
            "200 new refresh token=True; reuse: 401 invalid_request hint=Token has been revoked"),
        ["the access token from before a refresh: 401 at the profile"] = (
            async run =>
            {
                var tokens = await run.ExchangeAsync(ConsumerKind.Basic);
                using var refreshed = await run.TokenAsync(ConsumerKind.Basic, Form.Refresh(tokens.GetProperty("refresh_token").GetString()!));
                using var profile = await run.ProfileAsync(tokens.GetProperty("access_token").GetString()!);
                return $"{(int)profile.StatusCode}";
            },
            "401"),
        ["the profile: 200, a JSON object with sub as a string, labelled text/html (1.43: application/json)"] = (
            async run =>
            {
                var tokens = await run.ExchangeAsync(ConsumerKind.Basic);
                using var profile = await run.ProfileAsync(tokens.GetProperty("access_token").GetString()!);
                var body = JsonDocument.Parse(await profile.Content.ReadAsStringAsync()).RootElement;
                return $"{(int)profile.StatusCode} {profile.Content.Headers.ContentType?.MediaType}; sub={body.GetProperty("sub").ValueKind}; " +
                       $"username={body.GetProperty("username").ValueKind}; groups={body.GetProperty("groups").ValueKind}; grants={string.Join(',', body.GetProperty("grants").EnumerateArray())}";
            },
            "200 text/html; sub=String; username=String; groups=Array; grants=basic"),
        ["a public consumer: code with PKCE and no secret, then refresh refused with 401 invalid_client"] = (
            async run =>
            {
                var (code, pkce) = await run.CodeAsync(ConsumerKind.Public);
                using var exchange = await run.TokenAsync(ConsumerKind.Public, Form.Code(code, pkce.Verifier));
                var tokens = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync()).RootElement;
                return $"{(int)exchange.StatusCode}; refresh: {Error(await run.TokenAsync(ConsumerKind.Public, Form.Refresh(tokens.GetProperty("refresh_token").GetString()!)))}";
            },
            "200; refresh: 401 invalid_client message=yes"),
        ["a scope the consumer lacks: a token with no scopes, and the profile answers 500"] = (
            async run =>
            {
                var (code, pkce) = await run.CodeAsync(ConsumerKind.Identity, scope: "basic");
                using var exchange = await run.TokenAsync(ConsumerKind.Identity, Form.Code(code, pkce.Verifier));
                var access = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
                using var profile = await run.ProfileAsync(access);
                return $"{(int)exchange.StatusCode} scopes=[{string.Join(',', ScopesOf(access))}]; profile {(int)profile.StatusCode}";
            },
            "200 scopes=[]; profile 500"),
        ["a public consumer without PKCE: an error page of the wiki, no redirect (HTTP 200; 1.43: 400)"] = (
            async run => Describe(await run.AuthorizeAsync(ConsumerKind.Public, allow: true, pkce: false)),
            "page 200, no redirect to the app"),
        ["a JSON body at the token endpoint: 400 (1.43: 415)"] = (
            async run =>
            {
                using var client = Run.Client();
                using var response = await client.PostAsync(new Uri(run.Server.Authority + "/oauth2/access_token"),
                    new StringContent("""{"grant_type":"authorization_code"}""", Encoding.UTF8, "application/json"));
                return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            },
            "400"),
    };

    /// <summary>What MediaWiki 1.43 answers where it differs from 1.39 (observed on the real server).</summary>
    private static readonly Dictionary<string, string> On143 = new()
    {
        ["the profile: 200, a JSON object with sub as a string, labelled text/html (1.43: application/json)"] =
            "200 application/json; sub=String; username=String; groups=Array; grants=basic",
        ["a public consumer without PKCE: an error page of the wiki, no redirect (HTTP 200; 1.43: 400)"] = "page 400, no redirect to the app",
        ["a JSON body at the token endpoint: 400 (1.43: 415)"] = "415",
        ["a protected page: 403, no error code (1.43: errorKey protectedpagetext)"] = "403 - key=protectedpagetext protected",
        ["no token: 400 missingparam (a CSRF token; 1.43: 403 rest-badtoken); a revoked token: 403 rest-read-denied"] = "403 - key=rest-badtoken; 403 rest-read-denied",
    };

    public static TheoryData<string, Server> Cases()
    {
        var cases = new TheoryData<string, Server>();
        foreach (var name in Table.Keys.Concat(EditScenarios.Keys))
        {
            cases.Add(name, Server.RealWiki);
            cases.Add(name, Server.Emulator);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_emulator_and_the_real_wiki_answer_the_same(string scenario, Server server)
    {
        using OAuthServerUnderTest under = server == Server.RealWiki ? new RealWikiServer(wiki) : new EmulatedWikiServer(wiki);
        using var browser = new TestBrowser();
        await under.LogInAsync(browser);

        var (act, expected) = Table.TryGetValue(scenario, out var found) ? found : EditScenarios[scenario];
        if (RealWiki.Version == "1.43" && On143.TryGetValue(scenario, out var on143))
        {
            expected = on143;
        }

        var observed = await act(new Run(under, browser));

        Assert.Equal(expected, observed);
    }

    /// <summary>The JWT's <c>scopes</c> claim, read here independently of the library.</summary>
    private static IEnumerable<string?> ScopesOf(string jwt)
        => JsonDocument.Parse(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(jwt.Split('.')[1])).RootElement
            .GetProperty("scopes").EnumerateArray().Select(s => s.GetString());

    private static string Describe(AuthorizeOutcome outcome)
    {
        if (outcome.Callback is null)
        {
            return $"page {outcome.PageStatus}, no redirect to the app";
        }

        var query = outcome.Query;
        string Value(string key) => query.TryGetValue(key, out var v) ? v.ToString() : "-";
        return $"redirects={string.Join(',', outcome.Redirects)}; code={(query.ContainsKey("code") ? "yes" : "no")}; state={Value("state")}; " +
               $"error={Value("error")}; message={(query.ContainsKey("message") ? "yes" : "-")}";
    }

    private static string Token(JsonElement tokens)
        => $"200 json no-store; token_type={tokens.GetProperty("token_type").GetString()}; expires_in={tokens.GetProperty("expires_in").GetRawText()}; " +
           $"access_token={(tokens.GetProperty("access_token").GetString()!.Split('.').Length == 3 ? "jwt" : "other")}; " +
           $"refresh_token={tokens.GetProperty("refresh_token").GetString()![..8]}…; scope={(tokens.TryGetProperty("scope", out _) ? "present" : "-")}";

    private static string Error(HttpResponseMessage response)
    {
        using (response)
        {
            var body = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement;
            return $"{(int)response.StatusCode} {body.GetProperty("error").GetString()} message={(body.TryGetProperty("message", out _) ? "yes" : "-")}";
        }
    }

    private static async Task<string> ErrorWithHint(HttpResponseMessage response)
    {
        using (response)
        {
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return $"{(int)response.StatusCode} {body.GetProperty("error").GetString()} hint={body.GetProperty("hint").GetString()}";
        }
    }

    /// <summary>The parts of a form to the token endpoint.</summary>
    private static class Form
    {
        public static List<KeyValuePair<string, string>> Code(string code, string? verifier)
        {
            var form = new List<KeyValuePair<string, string>> { new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", OAuthServerUnderTest.Callback) };
            if (verifier is not null)
            {
                form.Add(new("code_verifier", verifier));
            }

            return form;
        }

        public static List<KeyValuePair<string, string>> Refresh(string refreshToken) => [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)];
    }

    /// <summary>One scenario's run against one server.</summary>
    private sealed partial class Run(OAuthServerUnderTest server, TestBrowser browser)
    {
        public OAuthServerUnderTest Server => server;

        public static HttpClient Client()
        {
            var client = new HttpClient();
            client.DefaultRequestHeaders.UserAgent.ParseAdd(InteropApp.UserAgent);
            return client;
        }

        public Task<AuthorizeOutcome> AuthorizeAsync(ConsumerKind kind, bool allow, bool pkce = true, string? scope = null)
            => server.AuthorizeAsync(browser, server.Consumer(kind), pkce ? Pkce.Create() : null, scope, allow);

        public async Task<(string Code, Pkce Pkce)> CodeAsync(ConsumerKind kind, string? scope = null)
        {
            var pkce = Pkce.Create();
            var outcome = await server.AuthorizeAsync(browser, server.Consumer(kind), pkce, scope);
            return (outcome.Query["code"].ToString(), pkce);
        }

        public async Task<JsonElement> ExchangeAsync(ConsumerKind kind)
        {
            var (code, pkce) = await CodeAsync(kind);
            using var response = await TokenAsync(kind, Form.Code(code, pkce.Verifier));
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        }

        public async Task<HttpResponseMessage> TokenAsync(ConsumerKind kind, IEnumerable<KeyValuePair<string, string>> form, string? secret = null)
        {
            var consumer = server.Consumer(kind);
            var fields = form.Append(new("client_id", consumer.ClientId)).ToList();
            if ((secret ?? consumer.ClientSecret) is { } clientSecret)
            {
                fields.Add(new("client_secret", clientSecret));
            }

            using var client = Client();
            return await client.PostAsync(new Uri(server.Authority + "/oauth2/access_token"), new FormUrlEncodedContent(fields));
        }

        public async Task<HttpResponseMessage> ProfileAsync(string accessToken)
        {
            using var client = Client();
            using var request = new HttpRequestMessage(HttpMethod.Get, server.Authority + "/oauth2/resource/profile");
            request.Headers.Authorization = new("Bearer", accessToken);
            return await client.SendAsync(request);
        }
    }
}
