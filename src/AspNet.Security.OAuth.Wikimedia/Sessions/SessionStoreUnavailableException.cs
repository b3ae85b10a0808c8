namespace AspNet.Security.OAuth.Wikimedia.Sessions;

/// <summary>
/// A new server-side session could not be stored: the distributed cache failed. The Wikimedia handler turns it into
/// a failed sign-in (the app's <c>OnRemoteFailure</c>), not an error page.
/// </summary>
internal sealed class SessionStoreUnavailableException(string message, Exception innerException) : Exception(message, innerException);
