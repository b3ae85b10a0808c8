using Microsoft.AspNetCore.Authentication;

namespace WikimediaRazorApp;

/// <summary>
/// Turns a failed sign-in into a friendly page instead of an exception: the log gets the reason, the user a short
/// explanation (never the raw message, which may quote the server).
/// </summary>
public static partial class SignInFailure
{
    public static Task HandleAsync(RemoteFailureContext context)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("WikimediaRazorApp.SignIn");
        SignInFailed(logger, context.Failure?.Message ?? "unknown");
        var reason = (context.Failure?.Data["error"] as string) switch
        {
            // A Cancel reaches AccessDeniedPath, not here; access_denied comes here only from a handler without one.
            // Any other error (unauthorized_client with state, server_error, temporarily_unavailable) is a failure.
            "access_denied" => "cancelled",
            "invalid_scope" or "insufficient_scope" => "scope",
            // The sign-in worked at Wikimedia; this site's server-side session store failed.
            "session_store_unavailable" => "store",
            _ when context.Failure?.Message.Contains("Correlation failed", StringComparison.Ordinal) == true => "expired",
            _ when context.Failure?.Message.Contains("state was missing", StringComparison.Ordinal) == true => "expired",
            _ => "wikimedia",
        };
        context.Response.Redirect("/signin-failed?reason=" + reason);
        context.HandleResponse();
        return Task.CompletedTask;
    }

    [LoggerMessage(1, LogLevel.Warning, "Wikimedia sign-in failed: {Reason}")]
    private static partial void SignInFailed(ILogger logger, string reason);
}
