using System.Diagnostics;

namespace AspNet.Security.OAuth.Wikimedia.Diagnostics;

/// <summary>
/// The handler's traces, on the <see cref="WikimediaAuthenticationDefaults.TelemetryName"/> activity source: one
/// activity per sign-in callback, token request, refresh and API call. Tags follow ASP.NET Core's names
/// (<c>aspnetcore.authentication.scheme</c>, <c>error.type</c>) and never hold a token, code, secret or user id.
/// </summary>
internal static class WikimediaActivities
{
    public static readonly ActivitySource Source = new(WikimediaAuthenticationDefaults.TelemetryName, typeof(WikimediaActivities).Assembly.GetName().Version?.ToString());

    public const string SignIn = "Wikimedia sign-in";
    public const string TokenRequest = "Wikimedia token request";
    public const string Refresh = "Wikimedia token refresh";
    public const string ApiCall = "Wikimedia API call";

    public const string SchemeTag = "aspnetcore.authentication.scheme";
    public const string ResultTag = "aspnetcore.authentication.result";
    public const string ErrorTypeTag = "error.type";
    public const string GrantTypeTag = "oauth.grant_type";
    public const string StatusCodeTag = "http.response.status_code";
    public const string TokenStatusTag = "wikimedia.token.status";
    public const string AdoptedTag = "wikimedia.token.adopted";
    public const string RetriedTag = "wikimedia.api.retried";
    public const string ForcedTag = "wikimedia.refresh.forced";

    /// <summary>Starts an activity when someone listens; null otherwise, at no cost.</summary>
    public static Activity? Start(string name, string? scheme, ActivityKind kind = ActivityKind.Internal)
    {
        var activity = Source.StartActivity(name, kind);
        if (activity is not null && scheme is not null)
        {
            activity.SetTag(SchemeTag, scheme);
        }

        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="errorType"/> (an OAuth error code or an outcome name).</summary>
    public static void Failed(this Activity? activity, string errorType, string? description = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(ResultTag, "failure");
        activity.SetTag(ErrorTypeTag, errorType);
        activity.SetStatus(ActivityStatusCode.Error, description);
    }

    public static void Succeeded(this Activity? activity) => activity?.SetTag(ResultTag, "success");
}
