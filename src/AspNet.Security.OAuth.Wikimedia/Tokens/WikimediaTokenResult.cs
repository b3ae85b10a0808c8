using System.Globalization;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// The outcome of a token operation: the answer of the token endpoint to a refresh (shared by every request of the
/// session that waited for it), or the access token that <see cref="IWikimediaAccessTokenProvider"/> gives.
/// Holds token values: never log it (its <see cref="ToString"/> holds none).
/// </summary>
public sealed record WikimediaTokenResult
{
    /// <summary>Gets how the operation ended.</summary>
    public required WikimediaTokenStatus Status { get; init; }

    /// <summary>Gets whether tokens were issued or given.</summary>
    public bool Succeeded => Status == WikimediaTokenStatus.Success;

    /// <summary>Gets whether the failure may go away by itself (<see cref="WikimediaTokenStatus.Unavailable"/> or
    /// <see cref="WikimediaTokenStatus.Expired"/>).</summary>
    public bool IsTransient => Status is WikimediaTokenStatus.Unavailable or WikimediaTokenStatus.Expired;

    /// <summary>Gets the access token.</summary>
    public string? AccessToken { get; init; }

    /// <summary>
    /// Gets the new refresh token of a refresh; null when the server sent none (the old one is then kept), and always
    /// null in the results of <see cref="IWikimediaAccessTokenProvider"/>, which never hands out the refresh token.
    /// </summary>
    public string? RefreshToken { get; init; }

    /// <summary>Gets the token type, <c>Bearer</c>.</summary>
    public string? TokenType { get; init; }

    /// <summary>Gets when the access token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets when the tokens were issued (at sign-in or by the last refresh); for a failure, when it happened.</summary>
    public DateTimeOffset IssuedAt { get; init; }

    /// <summary>
    /// Gets whether this result was obtained by another request of the session (in this process or, with a
    /// distributed coordinator, on another instance) and adopted by this one, rather than by a token request this
    /// request made. Set by <see cref="IWikimediaTokenRefreshCoordinator"/>.
    /// </summary>
    public bool Adopted { get; init; }

    /// <summary>Gets the OAuth error (<c>invalid_grant</c>, <c>invalid_client</c>, ...) of a failure, when the server sent one.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the HTTP status of the token endpoint's failed answer; null when no answer came.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets a description of the failure that holds no token.</summary>
    public string? Message { get; init; }

    /// <summary>Gets a result without a token.</summary>
    /// <param name="status">Why there is none.</param>
    /// <param name="message">A description that holds no token.</param>
    /// <returns>The result.</returns>
    public static WikimediaTokenResult Failed(WikimediaTokenStatus status, string? message = null) => new() { Status = status, Message = message };

    /// <inheritdoc />
    public override string ToString()
        => Succeeded
            ? $"Success, expires {ExpiresAt:o}{(Adopted ? ", adopted" : "")}"
            : $"{Status}: {Error ?? "no OAuth error"} (HTTP {StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}){(Message is null ? "" : " " + Message)}";
}
