namespace AspNet.Security.OAuth.Wikimedia.Sessions;

/// <summary>
/// A new server-side session could not be stored: the distributed cache failed. The Wikimedia handler turns it into
/// a failed sign-in (the app's <c>OnRemoteFailure</c>), not an error page. Its <c>Data["error"]</c> is
/// <see cref="Error"/>, so that an app tells it from the authorization server's errors as it tells those apart.
/// </summary>
internal sealed class SessionStoreUnavailableException : Exception
{
    /// <summary>The <c>Data["error"]</c> of the exception: the sign-in worked at Wikimedia, but this site could not store it.</summary>
    public const string Error = "session_store_unavailable";

    public SessionStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
        => Data["error"] = Error;
}
