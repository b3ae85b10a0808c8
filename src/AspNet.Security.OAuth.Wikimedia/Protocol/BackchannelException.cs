using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Protocol;

/// <summary>
/// A failure of a Wikimedia backchannel endpoint (token or profile), with what the token-refresh policy needs to decide:
/// the OAuth <c>error</c> code, the HTTP status and whether trying again later may succeed.
/// The framework's <c>Data["error"]</c>, <c>Data["error_description"]</c> entries are filled as
/// <see cref="Microsoft.AspNetCore.Authentication.OAuth.OAuthHandler{TOptions}"/> does.
/// </summary>
internal sealed class BackchannelException : AuthenticationFailureException
{
    public BackchannelException(string message, Exception? innerException, string? error, int? statusCode, bool isTransient, string? errorDescription = null)
        : base(message, innerException)
    {
        Error = error;
        StatusCode = statusCode;
        IsTransient = isTransient;
        Data["error"] = error;
        Data["error_description"] = errorDescription;
        Data["status"] = statusCode;
    }

    /// <summary>The OAuth error code (<c>invalid_grant</c>, <c>invalid_client</c>, ...), when the server sent one.</summary>
    public string? Error { get; }

    /// <summary>The HTTP status, or null when no answer came (time-out, refused connection).</summary>
    public int? StatusCode { get; }

    /// <summary>Whether the same request may succeed later: no answer, 408, 429 or 5xx, or a malformed success.</summary>
    public bool IsTransient { get; }
}
