using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// Token-refresh figures on the <c>AspNet.Security.OAuth.Wikimedia</c> meter. Tags hold outcomes and error codes,
/// never token values or user ids.
/// </summary>
internal sealed class WikimediaTokenMetrics
{
    public const string MeterName = "AspNet.Security.OAuth.Wikimedia";
    public const string RefreshesName = "wikimedia.token.refreshes";
    public const string DurationName = "wikimedia.token.refresh.duration";
    public const string CoalescedName = "wikimedia.token.refresh.coalesced";

    private readonly Counter<long> _refreshes;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _coalesced;

    public WikimediaTokenMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _refreshes = meter.CreateCounter<long>(RefreshesName, "{refresh}", "Calls to the token endpoint with grant_type=refresh_token, by result.");
        _duration = meter.CreateHistogram<double>(DurationName, "s", "Duration of calls to the token endpoint with grant_type=refresh_token.");
        _coalesced = meter.CreateCounter<long>(CoalescedName, "{request}", "Requests that used a refresh already in flight or just completed instead of starting one.");
    }

    /// <summary>Records one refresh call; <paramref name="result"/> is <c>success</c>, the OAuth error, or <c>transient</c>/<c>failure</c>.</summary>
    public void Refreshed(string scheme, string result, TimeSpan duration)
    {
        var tags = new TagList { { "scheme", scheme }, { "result", result } };
        _refreshes.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }

    public void Coalesced() => _coalesced.Add(1);
}
