using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Diagnostics;

/// <summary>
/// Sign-ins, token requests, refreshes and API calls are traced on the <c>AspNet.Security.OAuth.Wikimedia</c>
/// activity source with ASP.NET Core's tag names, and no tag ever holds a token.
/// </summary>
public sealed class ActivityTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public ActivityTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WikimediaAuthenticationDefaults.TelemetryName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task A_sign_in_a_refresh_and_an_api_call_are_traced_without_tokens()
    {
        await using var session = await RefreshFixture.SignedInAsync(api: (emulator, o) => o.BaseAddress = emulator.ApiBaseAddress);
        var signIn = await session.MeAsync();
        session.Time.Advance(session.Lifetime);
        var refreshed = await session.MeAsync();
        using (var page = await session.GetAsync("/api/page?title=Earth"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        // Other tests run at the same time and trace too: look for this session's activities, then check every one.
        var activities = _stopped.ToArray();
        Assert.Contains(activities, a => a.OperationName == "Wikimedia sign-in" && Tag(a, "aspnetcore.authentication.result") == "success" &&
                                         Tag(a, "aspnetcore.authentication.scheme") == "Wikimedia");
        Assert.Contains(activities, a => a.OperationName == "Wikimedia token request" && a.Kind == ActivityKind.Client && Tag(a, "oauth.grant_type") == "authorization_code");
        Assert.Contains(activities, a => a.OperationName == "Wikimedia token request" && Tag(a, "oauth.grant_type") == "refresh_token" &&
                                         Tag(a, "aspnetcore.authentication.result") == "success");
        Assert.Contains(activities, a => a.OperationName == "Wikimedia token refresh" && Tag(a, "wikimedia.token.status") == "Success" &&
                                         Tag(a, "wikimedia.token.adopted") == "False");
        Assert.Contains(activities, a => a.OperationName == "Wikimedia API call" && Tag(a, "http.response.status_code") == "200" &&
                                         Tag(a, "wikimedia.token.status") == "Success");

        var secrets = new[] { signIn, refreshed }.SelectMany(m => new[] { m.Tokens["access_token"], m.Tokens["refresh_token"] }).Append(WikimediaEmulatorOptions.DefaultClientSecret);
        foreach (var activity in activities)
        {
            var text = activity.DisplayName + " " + activity.StatusDescription + " " + string.Join(" ", activity.TagObjects.Select(t => t.Key + "=" + t.Value));
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_refresh_the_token_endpoint_refuses_is_an_error_with_the_oauth_error_as_its_type()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.RevokeGrants("Example User");
        session.Time.Advance(session.Lifetime);
        using (await session.GetAsync("/me"))
        {
        }

        Assert.Contains(_stopped, a => a.OperationName == "Wikimedia token refresh" && a.Status == ActivityStatusCode.Error &&
                                       Tag(a, "error.type") == "invalid_grant" && Tag(a, "wikimedia.token.status") == "SessionEnded");
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();
}
