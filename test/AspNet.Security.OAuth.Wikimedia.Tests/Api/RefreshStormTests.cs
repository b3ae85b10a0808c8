using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;
using AspNet.Security.OAuth.Wikimedia.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

/// <summary>An API that keeps answering 401 must not make every call rotate the session's tokens.</summary>
public class RefreshStormTests
{
    [Fact]
    public async Task Five_calls_refused_with_401_within_seconds_make_at_most_one_refresh()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.Unauthorized, Body = """{"httpCode":401,"httpReason":"Jwt is expired"}""" });

        for (var i = 0; i < 5; i++)
        {
            var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");
            Assert.Equal(WikimediaApiStatus.Unauthorized, result.Status);
            session.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Single(session.Refreshes);

        // Once the window has passed, a 401 may force a refresh again.
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");
        Assert.Equal(2, session.Refreshes.Count);
    }

    [Fact]
    public async Task A_redirect_to_another_host_never_receives_the_token_and_the_retry_goes_to_the_original_url()
    {
        using var elsewhere = WikimediaEmulator.Start();
        await using var session = await RefreshFixture.SignedInAsync();
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        var redirect = new EmulatorFault { StatusCode = HttpStatusCode.Found, Times = 1 };
        redirect.Headers["Location"] = new Uri(elsewhere.BaseAddress, "core/v1/wikipedia/en/page/Earth/bare").ToString();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, redirect);

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.NotEmpty(elsewhere.Requests);
        Assert.All(elsewhere.Requests, r => Assert.Null(r.Header("Authorization")));
        var calls = ApiClientTests.ApiRequests(session);
        Assert.Equal(2, calls.Length);
        Assert.Equal(calls[0].Path, calls[1].Path);
        Assert.Equal("Bearer " + (await session.MeAsync()).Tokens["access_token"], calls[1].Header("Authorization"));
    }

    [Fact]
    public async Task A_403_rest_read_denied_refuses_the_token_so_it_is_refreshed_once_and_retried()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var before = (await session.MeAsync()).Tokens["access_token"];
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault
        {
            StatusCode = HttpStatusCode.Forbidden,
            Body = """{"error":"rest-read-denied","httpCode":403,"httpReason":"Forbidden"}""",
            Times = 1,
        });

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.Single(session.Refreshes);
        var calls = ApiClientTests.ApiRequests(session);
        Assert.Equal(["Bearer " + before, "Bearer " + (await session.MeAsync()).Tokens["access_token"]], calls.Select(c => c.Header("Authorization")));
    }

    [Theory]
    [InlineData("""{"error":"rest-permission-denied","httpCode":403}""")]
    [InlineData("""{"messageTranslations":{"en":"Blocked"},"httpCode":403,"httpReason":"Forbidden"}""")]
    [InlineData("<html>Forbidden</html>")]
    public async Task Any_other_403_is_returned_as_it_came_without_a_refresh(string body)
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.Forbidden, Body = body });

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.Forbidden, result.Status);
        Assert.Empty(session.Refreshes);
        Assert.Single(ApiClientTests.ApiRequests(session));
    }
}
