using System.Globalization;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Api;

/// <summary><see cref="WikimediaApiClient"/> never throws on an answer it can parse as HTTP: its contract.</summary>
public class ApiClientRobustnessTests
{
    [Theory]
    [InlineData("""{"sub":"12345678","username":"Example User","editcount":"42","groups":null,"grants":[7,"basic"],"blocked":"no"}""", WikimediaApiStatus.Success)]
    [InlineData("""{"sub":12345678,"username":[],"editcount":[],"groups":{},"grants":"basic"}""", WikimediaApiStatus.Success)]
    [InlineData("""{"sub":null,"username":"Example User"}""", WikimediaApiStatus.Failed)]
    [InlineData("[]", WikimediaApiStatus.Failed)]
    [InlineData("null", WikimediaApiStatus.Failed)]
    [InlineData("", WikimediaApiStatus.Failed)]
    public async Task A_profile_with_fields_of_the_wrong_json_type_is_a_result_not_an_exception(string body, WikimediaApiStatus expected)
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Profile, new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = body });

        var result = await ApiClientTests.CallAsync<WikimediaProfile>(session, "/api/profile");

        Assert.Equal(expected, result.Status);
        if (expected == WikimediaApiStatus.Success)
        {
            Assert.Equal("12345678", result.Value!.Id);
            Assert.Null(result.Value.EditCount);
        }
        else
        {
            Assert.False(string.IsNullOrEmpty(result.Message));
        }
    }

    [Fact]
    public async Task An_unknown_charset_is_ignored_because_json_is_utf8()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault
        {
            StatusCode = HttpStatusCode.OK,
            ContentType = "application/json; charset=x-klingon",
            Body = """{"id":34223,"key":"Zürich","title":"Zürich","latest":{"id":1,"timestamp":"2026-01-01T00:00:00Z"}}""",
        });

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Z%C3%BCrich");

        Assert.Equal(WikimediaApiStatus.Success, result.Status);
        Assert.Equal("Zürich", result.Value!.Title);
    }

    [Fact]
    public async Task A_huge_answer_is_a_failed_result()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault
        {
            StatusCode = HttpStatusCode.OK,
            Body = "{\"id\":1,\"key\":\"Big\",\"title\":\"Big\",\"excerpt\":\"" + new string('x', 5 * 1024 * 1024) + "\"}",
        });

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Big");

        Assert.Equal(WikimediaApiStatus.Failed, result.Status);
        Assert.Contains("could not be read", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-3600, 0)]
    [InlineData(120, 120)]
    public async Task Retry_after_as_a_date_is_read_against_the_apps_clock_and_never_negative(int secondsFromAppNow, int expectedSeconds)
    {
        await using var session = await RefreshFixture.SignedInAsync();
        // The app's clock is a day ahead of the machine's: a reading against the machine's clock would be a day off.
        session.Time.Advance(TimeSpan.FromDays(1));
        var fault = new EmulatorFault { StatusCode = HttpStatusCode.TooManyRequests, Body = "<html>slow down</html>", ContentType = "text/html" };
        // HTTP dates have whole seconds: the app's now is rounded up so that the expected delta is exact.
        var now = session.Time.GetUtcNow();
        session.Time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - (now.UtcTicks % TimeSpan.TicksPerSecond)));
        fault.Headers["Retry-After"] = (session.Time.GetUtcNow() + TimeSpan.FromSeconds(secondsFromAppNow)).ToString("r", CultureInfo.InvariantCulture);
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, fault);

        var result = await ApiClientTests.CallAsync<WikimediaPage>(session, "/api/page?title=Earth");

        Assert.Equal(WikimediaApiStatus.RateLimited, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), result.RetryAfter);
    }
}
