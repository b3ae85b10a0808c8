using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspNet.Security.OAuth.Wikimedia.Diagnostics;

/// <summary>
/// Token-refresh figures on the <see cref="WikimediaAuthenticationDefaults.TelemetryName"/> meter. Tags follow ASP.NET
/// Core's authentication metrics (<c>aspnetcore.authentication.scheme</c>, <c>aspnetcore.authentication.result</c>,
/// <c>error.type</c>) and hold outcomes and error codes, never token values or user ids.
/// </summary>
internal sealed class WikimediaTokenMetrics
{
    public const string RefreshesName = "wikimedia.token.refreshes";
    public const string DurationName = "wikimedia.token.refresh.duration";
    public const string CoalescedName = "wikimedia.token.refresh.coalesced";

    private readonly Counter<long> _refreshes;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _coalesced;

    public WikimediaTokenMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(WikimediaAuthenticationDefaults.TelemetryName);
        _refreshes = meter.CreateCounter<long>(RefreshesName, "{refresh}", "Calls to the token endpoint with grant_type=refresh_token, by result.");
        _duration = meter.CreateHistogram<double>(DurationName, "s", "Duration of calls to the token endpoint with grant_type=refresh_token.");
        _coalesced = meter.CreateCounter<long>(CoalescedName, "{request}", "Requests that used a refresh already in flight or just completed instead of starting one.");
    }

    /// <summary>Records one refresh call: its result, and for a failure its <c>error.type</c> (the OAuth error, else the status).</summary>
    public void Refreshed(string scheme, WikimediaTokenResult result, TimeSpan duration)
    {
        var tags = new TagList
        {
            { WikimediaActivities.SchemeTag, scheme },
            { WikimediaActivities.ResultTag, result.Succeeded ? "success" : "failure" },
        };
        if (!result.Succeeded)
        {
            tags.Add(WikimediaActivities.ErrorTypeTag, ErrorType(result));
        }

        _refreshes.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }

    public void Coalesced() => _coalesced.Add(1);

    /// <summary>The OAuth error of a failed token answer, else its status (<c>unavailable</c>, <c>refused</c>, ...).</summary>
    public static string ErrorType(WikimediaTokenResult result) => result.Error ?? result.Status.ToString().ToLowerInvariant();
}
