using System.Diagnostics.Metrics;
using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

public class RefreshTelemetryTests
{
    private const string Meter = "AspNet.Security.OAuth.Wikimedia";

    [Fact]
    public async Task Refreshes_are_counted_by_result_timed_and_coalesced_requests_counted()
    {
        await using var session = await RefreshFixture.SignedInAsync(o => o.RefreshGraceWindow = TimeSpan.Zero);
        var meters = session.App.Services.GetRequiredService<IMeterFactory>();
        using var refreshes = new MetricCollector<long>(meters, Meter, "wikimedia.token.refreshes");
        using var duration = new MetricCollector<double>(meters, Meter, "wikimedia.token.refresh.duration");
        using var coalesced = new MetricCollector<long>(meters, Meter, "wikimedia.token.refresh.coalesced");

        session.Emulator.Faults.Add(EmulatorEndpoint.Token, EmulatorFault.Slow(TimeSpan.FromMilliseconds(200)));
        session.Time.Advance(TimeSpan.FromHours(4));
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => session.GetAsync("/me")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        session.Emulator.Faults.Clear();
        session.Emulator.Faults.Add(EmulatorEndpoint.Token, EmulatorFault.HtmlError(HttpStatusCode.ServiceUnavailable));
        session.Time.Advance(TimeSpan.FromHours(4));
        await session.GetAsync("/me");

        var counted = refreshes.GetMeasurementSnapshot();
        Assert.Equal(2, counted.Count);
        Assert.Equal("success", counted[0].Tags["aspnetcore.authentication.result"]);
        Assert.Equal(("failure", "unavailable"), (counted[1].Tags["aspnetcore.authentication.result"], counted[1].Tags["error.type"]));
        Assert.Equal("Wikimedia", counted[0].Tags["aspnetcore.authentication.scheme"]);
        Assert.Equal(2, duration.GetMeasurementSnapshot().Count);
        Assert.All(duration.GetMeasurementSnapshot(), m => Assert.True(m.Value >= 0));
        Assert.Equal(4, coalesced.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, session.Refreshes.Count);
    }

    [Fact]
    public async Task No_token_value_appears_in_any_log_line_of_refreshes_failures_and_api_calls()
    {
        await using var session = await RefreshFixture.SignedInAsync();
        var signIn = await session.MeAsync();

        session.Time.Advance(TimeSpan.FromHours(4));
        var refreshed = await session.MeAsync();
        session.Time.Advance(WikimediaTokenRefresher.ForcedRefreshInterval);
        session.Emulator.Faults.Add(EmulatorEndpoint.Api, new EmulatorFault { StatusCode = HttpStatusCode.Unauthorized, Body = """{"httpCode":401,"httpReason":"Jwt is expired"}""", Times = 1 });
        using (await session.GetAsync("/api/page?title=Earth"))
        {
        }

        var afterRetry = await session.MeAsync();
        session.Emulator.RevokeGrants("Example User");
        session.Time.Advance(TimeSpan.FromHours(4));
        using (await session.GetAsync("/me"))
        {
        }

        var secrets = new[] { signIn, refreshed, afterRetry }
            .SelectMany(m => new[] { m.Tokens["access_token"], m.Tokens["refresh_token"] })
            .Append(WikimediaEmulatorOptions.DefaultClientSecret)
            .Distinct()
            .ToArray();
        Assert.Equal(7, secrets.Length);
        var logs = session.App.Logs.GetSnapshot();
        Assert.Contains(logs, l => l.Id.Id == 20);
        Assert.Contains(logs, l => l.Id.Id == 22);
        Assert.Contains(logs, l => l.Id.Id == 40);
        foreach (var record in logs)
        {
            var text = record.Message + " " + record.Exception + " " + string.Join(" ", record.StructuredState?.Select(p => p.Value) ?? []);
            Assert.All(secrets, secret => Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{record.Category} {record.Id} holds a token or secret"));
        }
    }
}
