using System.Net;
using AngleSharp.Html.Parser;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

/// <summary>
/// A small stand-in for a browser over real sockets: a cookie jar, redirects followed one by one (so that every
/// hop's cookies are kept), and the emulator's consent form filled in. Like browsers, it sends Secure cookies to
/// loopback hosts over plain http.
/// </summary>
public sealed class TestBrowser : IDisposable
{
    private readonly HttpClient _client;

    public TestBrowser()
    {
        Cookies = new CookieContainer();
        _client = new HttpClient(new LoopbackCookieHandler(Cookies) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false } })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public CookieContainer Cookies { get; }

    /// <summary>The cookies the browser would send to <paramref name="url"/> (Secure ones included, as for any loopback host).</summary>
    public CookieCollection CookiesFor(Uri url) => Cookies.GetCookies(LoopbackCookieHandler.AsSecure(url));

    /// <summary>Every URL requested, in order.</summary>
    public List<Uri> History { get; } = [];

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        History.Add(request.RequestUri!);
        return await _client.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(Uri url) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    /// <summary>Requests <paramref name="url"/> and follows redirects; returns the last response.</summary>
    public async Task<HttpResponseMessage> FollowAsync(Uri url, int maxHops = 10)
    {
        var response = await GetAsync(url);
        return await FollowRedirectsAsync(response, maxHops);
    }

    public async Task<HttpResponseMessage> FollowRedirectsAsync(HttpResponseMessage response, int maxHops = 10)
    {
        for (var hop = 0; hop < maxHops && (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location; hop++)
        {
            var next = location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
            response.Dispose();
            response = await GetAsync(next);
        }

        return response;
    }

    /// <summary>Submits the emulator's consent page: picks <paramref name="user"/>, clicks Allow or Cancel, and follows redirects.</summary>
    public async Task<HttpResponseMessage> ConsentAsync(HttpResponseMessage consentPage, string user = "Example User", bool allow = true)
        => await FollowRedirectsAsync(await SendAsync(await ConsentRequestAsync(consentPage, user, allow)));

    /// <summary>The form post that the consent page's Allow or Cancel button sends.</summary>
    public static async Task<HttpRequestMessage> ConsentRequestAsync(HttpResponseMessage consentPage, string user = "Example User", bool allow = true)
    {
        var html = await consentPage.Content.ReadAsStringAsync();
        var document = new HtmlParser().ParseDocument(html);
        var form = document.QuerySelector("form") ?? throw new InvalidOperationException("No consent form on the page: " + html);
        var fields = document.QuerySelectorAll("input[type=hidden]")
            .Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? ""))
            .Append(new("user", user))
            .Append(new("decision", allow ? "allow" : "cancel"));
        var action = new Uri(consentPage.RequestMessage!.RequestUri!, form.GetAttribute("action"));
        return new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) };
    }

    /// <summary>
    /// Starts a sign-in at the app and clicks Allow, but does not follow Wikimedia's redirect back: returns the
    /// callback URL (with code and state), to replay or tamper with.
    /// </summary>
    public async Task<Uri> AllowWithoutReturningAsync(Uri app, string returnUrl = "/")
    {
        var consent = await FollowAsync(new Uri(app, "/signin?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        using var redirect = await SendAsync(await ConsentRequestAsync(consent));
        return redirect.Headers.Location ?? throw new InvalidOperationException("The consent page did not redirect.");
    }

    /// <summary>Signs in through the app's <c>/signin</c> and the emulator's consent page; returns the page the app lands on.</summary>
    public async Task<HttpResponseMessage> SignInAsync(Uri app, string user = "Example User", string returnUrl = "/me")
    {
        var consent = await FollowAsync(new Uri(app, "/signin?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        return await ConsentAsync(consent, user);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Keeps cookies per loopback host, treating http as https so that Secure cookies are kept and sent.</summary>
    private sealed class LoopbackCookieHandler(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = AsSecure(request.RequestUri!);
            var header = cookies.GetCookieHeader(uri);
            if (header.Length > 0)
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    cookies.SetCookies(uri, setCookie);
                }
            }

            return response;
        }

        public static Uri AsSecure(Uri uri)
        {
            if (!uri.IsLoopback)
            {
                throw new InvalidOperationException($"Tests only talk to loopback hosts, not {uri.Host}.");
            }

            return new UriBuilder(uri) { Scheme = Uri.UriSchemeHttps }.Uri;
        }
    }
}
