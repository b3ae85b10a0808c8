using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks.SideBySide;

/// <summary>
/// The backchannel of both apps of the side-by-side benchmark (<c>BackchannelHttpHandler</c>). Live, it forwards to
/// the Wikimedia emulator over loopback and can record its answers; replaying, it answers each endpoint with the
/// recorded answer at once, so that a timed sign-in measures the handler and not the emulator (which then validates
/// nothing: the code, PKCE verifier and client secret were checked when the answers were recorded).
/// </summary>
internal sealed class EmulatorBackchannel(PhaseProbe probe) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _emulator = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    /// <summary>Gets or sets the answers to replay, by endpoint path; null sends every request to the emulator.</summary>
    public IReadOnlyDictionary<string, RecordedAnswer>? Replay { get; set; }

    /// <summary>Gets or sets where the emulator's answers are recorded, by endpoint path, when live; null records nothing.</summary>
    public Dictionary<string, RecordedAnswer>? Recorder { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var profile = path.EndsWith("/oauth2/resource/profile", StringComparison.Ordinal);
        probe.Mark(profile ? Phase.ProfileSent : Phase.TokenSent);
        HttpResponseMessage response;
        if (Replay is { } replay)
        {
            // What the transport would do with the request: serialize its form. Headers are left alone, as
            // SocketsHttpHandler's own work on them is the transport's, not the handler's.
            if (request.Content is not null)
            {
                await request.Content.CopyToAsync(Stream.Null, cancellationToken);
            }

            var answer = replay.TryGetValue(path, out var found) ? found : throw new InvalidOperationException($"Nothing recorded for {path}.");
            response = new HttpResponseMessage(answer.Status) { RequestMessage = request, Content = new ByteArrayContent(answer.Body) };
            response.Content.Headers.TryAddWithoutValidation("Content-Type", answer.ContentType);
        }
        else
        {
            response = await _emulator.SendAsync(request, cancellationToken);
            if (Recorder is { } recorder)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                recorder[path] = new RecordedAnswer(response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "application/json", body);
                var copy = new HttpResponseMessage(response.StatusCode) { RequestMessage = request, Content = new ByteArrayContent(body) };
                copy.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(recorder[path].ContentType);
                response.Dispose();
                response = copy;
            }
        }

        probe.Mark(profile ? Phase.ProfileAnswered : Phase.TokenAnswered);
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _emulator.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>One recorded answer of the emulator.</summary>
internal sealed record RecordedAnswer(HttpStatusCode Status, string ContentType, byte[] Body);

/// <summary>The moments of a sign-in's callback that <see cref="PhaseProbe"/> records.</summary>
internal enum Phase
{
    Start,
    TokenSent,
    TokenAnswered,
    ProfileSent,
    ProfileAnswered,
    CookieSigningIn,
    CookieSignedIn,
    End,
}

/// <summary>
/// Timestamps of one sign-in's callback, taken where both apps can be watched without changing their handlers: the
/// backchannel (token and profile requests) and the cookie scheme's SigningIn and SignedIn events. Off unless enabled.
/// </summary>
internal sealed class PhaseProbe
{
    public bool Enabled { get; set; }

    public long[] Marks { get; } = new long[Enum.GetValues<Phase>().Length];

    public void Mark(Phase phase)
    {
        if (Enabled)
        {
            Marks[(int)phase] = Stopwatch.GetTimestamp();
        }
    }
}
