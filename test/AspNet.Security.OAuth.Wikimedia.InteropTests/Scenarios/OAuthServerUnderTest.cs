using System.Security.Cryptography;
using System.Text;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests.Scenarios;

/// <summary>What the scenarios drive: the real wiki, or the emulator configured as its twin.</summary>
public abstract class OAuthServerUnderTest : IDisposable
{
    public const string Callback = "http://127.0.0.1:5555/signin-wikimedia";

    public abstract string Name { get; }

    /// <summary>The REST root: <c>{Authority}/oauth2/...</c>.</summary>
    public abstract string Authority { get; }

    public abstract WikiConsumer Consumer(ConsumerKind kind);

    /// <summary>The action API (<c>api.php</c> beside <c>rest.php</c>).</summary>
    public string ActionApi => Authority[..^"rest.php".Length] + "api.php";

    /// <summary>A page only sysops may edit.</summary>
    public const string ProtectedPage = "Protected page";

    /// <summary>Brings the person's browser to where a scenario starts: signed in to the wiki.</summary>
    public virtual Task LogInAsync(TestBrowser browser) => Task.CompletedTask;

    /// <summary>Answers a page of the server that a person would answer (login, consent); null for any other page.</summary>
    protected abstract Task<HttpResponseMessage?> AnswerAsync(TestBrowser browser, HttpResponseMessage page, bool allow);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>
    /// A person's round trip through the authorize endpoint: every redirect within the server followed, login and
    /// consent answered, up to the redirect that leaves the server (to the app's callback), which is not followed.
    /// </summary>
    public async Task<AuthorizeOutcome> AuthorizeAsync(
        TestBrowser browser, WikiConsumer consumer, Pkce? pkce, string? scope = null, bool allow = true, string state = "s-1")
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = consumer.ClientId,
            ["redirect_uri"] = Callback,
            ["state"] = state,
        };
        if (pkce is not null)
        {
            query["code_challenge"] = pkce.Challenge;
            query["code_challenge_method"] = "S256";
        }

        if (scope is not null)
        {
            query["scope"] = scope;
        }

        var response = await browser.GetAsync(new Uri(QueryHelpers.AddQueryString(Authority + "/oauth2/authorize", query)));
        var redirects = new List<int>();
        for (var step = 0; step < 12; step++)
        {
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                redirects.Add((int)response.StatusCode);
                var next = location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
                if (next.Port != new Uri(Authority).Port)
                {
                    return new AuthorizeOutcome(next, redirects, null);
                }

                response = await browser.GetAsync(next);
                continue;
            }

            if (await AnswerAsync(browser, response, allow) is not { } answered)
            {
                return new AuthorizeOutcome(null, redirects, (int)response.StatusCode);
            }

            response = answered;
        }

        throw new InvalidOperationException("The authorize round trip did not end.");
    }

    protected static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response)
        => new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());

    /// <summary>Submits a form as a browser does: its fields, what was typed, the button clicked. Redirects are not followed.</summary>
    protected static async Task<HttpResponseMessage> SubmitAsync(
        TestBrowser browser, HttpResponseMessage page, IHtmlFormElement form, string button, string? buttonValue, Dictionary<string, string> typed)
    {
        var fields = form.QuerySelectorAll("input[name]").OfType<IHtmlInputElement>()
            .Where(i => i.Type is not ("submit" or "button" or "image") && (i.Type is not ("checkbox" or "radio") || i.IsChecked || typed.ContainsKey(i.Name!)))
            .GroupBy(i => i.Name!)
            .Select(g => new KeyValuePair<string, string>(g.Key, typed.TryGetValue(g.Key, out var value) ? value : g.First().Value))
            .ToList();
        fields.Add(new(button, buttonValue ?? form.QuerySelector($"[name='{button}']")?.GetAttribute("value") ?? ""));
        var action = new Uri(page.RequestMessage!.RequestUri!, form.GetAttribute("action") ?? "");
        return await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) });
    }
}

/// <summary>Where the authorize round trip ended: a redirect to the callback, or a page of the server.</summary>
public sealed record AuthorizeOutcome(Uri? Callback, IReadOnlyList<int> Redirects, int? PageStatus)
{
    public IDictionary<string, Microsoft.Extensions.Primitives.StringValues> Query
        => Callback is null ? new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>() : QueryHelpers.ParseQuery(Callback.Query);
}

/// <summary>A PKCE pair (RFC 7636): 32 random octets, S256.</summary>
public sealed record Pkce(string Verifier, string Challenge)
{
    public static Pkce Create()
    {
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return new Pkce(verifier, WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }
}

/// <summary>The genuine MediaWiki (1.39 or 1.43, RealWiki.Version) with Extension:OAuth (test/realwiki).</summary>
public sealed class RealWikiServer(RealWiki wiki) : OAuthServerUnderTest
{
    public override string Name => "real MediaWiki " + RealWiki.Version;

    public override string Authority => wiki.Authority;

    public override WikiConsumer Consumer(ConsumerKind kind) => wiki.Consumer(kind);

    public override async Task LogInAsync(TestBrowser browser)
    {
        var page = await browser.FollowAsync(new Uri(wiki.BaseAddress, "w/index.php?title=Special:UserLogin"));
        using var done = await AnswerAsync(browser, page, allow: true);
    }

    protected override async Task<HttpResponseMessage?> AnswerAsync(TestBrowser browser, HttpResponseMessage page, bool allow)
    {
        var document = await ParseAsync(page);
        if (document.QuerySelector("form[name=userlogin]") is IHtmlFormElement login)
        {
            return await SubmitAsync(browser, page, login, "wploginattempt", null, new() { ["wpName"] = wiki.Alice.User, ["wpPassword"] = wiki.Alice.Password });
        }

        return document.QuerySelector("#mw-mwoauth-authorize-form") is IHtmlFormElement consent
            ? await SubmitAsync(browser, page, consent, allow ? "accept" : "cancel", null, [])
            : null;
    }
}

/// <summary>The emulator in the real wiki's mode (MediaWiki 1.39 or 1.43), with its consumers (same ids, secrets, grants, callback).</summary>
public sealed class EmulatedWikiServer : OAuthServerUnderTest
{
    private readonly RealWiki _wiki;
    private readonly WikimediaEmulator _emulator;

    public EmulatedWikiServer(RealWiki wiki)
    {
        _wiki = wiki;
        _emulator = WikimediaEmulator.Start(o =>
        {
            o.Server = RealWiki.Version == "1.43" ? EmulatedServer.MediaWiki143 : EmulatedServer.MediaWiki139;
            o.Clients.Clear();
            foreach (var (kind, grants) in new[]
            {
                (ConsumerKind.Identity, new[] { "mwoauth-authonly" }),
                (ConsumerKind.Public, ["mwoauth-authonly"]),
                (ConsumerKind.Private, ["mwoauth-authonlyprivate"]),
                (ConsumerKind.Basic, ["basic"]),
                (ConsumerKind.Edit, ["basic", "editpage", "createeditmovepage"]),
            })
            {
                var consumer = wiki.Consumer(kind);
                var client = new EmulatorClient { ClientId = consumer.ClientId, ClientSecret = consumer.ClientSecret, Name = kind + " consumer" };
                client.RedirectUris.Add(Callback);
                client.Grants.Clear();
                foreach (var grant in grants)
                {
                    client.Grants.Add(grant);
                }

                o.Clients.Add(client);
            }

            // As test/realwiki/setup.php protects it: only sysops may edit.
            o.Pages.Add(new EmulatorPage { Id = 2, Title = ProtectedPage, LatestRevisionId = 3, LatestRevisionTimestamp = DateTime.UtcNow, Source = "Only sysops may edit this page.", Protected = true });
        });
    }

    public override string Name => RealWiki.Version == "1.43" ? "emulator (MediaWiki143)" : "emulator (MediaWiki139)";

    public override string Authority => _emulator.Authority;

    public override WikiConsumer Consumer(ConsumerKind kind) => _wiki.Consumer(kind);

    public override void Dispose()
    {
        _emulator.Dispose();
        base.Dispose();
    }

    protected override async Task<HttpResponseMessage?> AnswerAsync(TestBrowser browser, HttpResponseMessage page, bool allow)
        => (await ParseAsync(page)).QuerySelector("#allow") is null
            ? null
            : await browser.SendAsync(await TestBrowser.ConsentRequestAsync(page, allow: allow));
}
