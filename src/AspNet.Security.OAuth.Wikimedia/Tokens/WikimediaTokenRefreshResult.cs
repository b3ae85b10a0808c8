namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// The outcome of one call to the token endpoint with <c>grant_type=refresh_token</c>, shared by every request
/// of the session that waited for it. Holds token values: never log it.
/// </summary>
public sealed record WikimediaTokenRefreshResult
{
    /// <summary>Gets whether new tokens were issued.</summary>
    public bool Succeeded => AccessToken is not null;

    /// <summary>Gets the new access token.</summary>
    public string? AccessToken { get; init; }

    /// <summary>Gets the new refresh token; null when the server sent none (the old one is then kept).</summary>
    public string? RefreshToken { get; init; }

    /// <summary>Gets the token type, <c>Bearer</c>.</summary>
    public string? TokenType { get; init; }

    /// <summary>Gets when the new access token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets when the new tokens were issued.</summary>
    public DateTimeOffset IssuedAt { get; init; }

    /// <summary>Gets the OAuth error (<c>invalid_grant</c>, <c>invalid_client</c>, ...) of a failure, when the server sent one.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the HTTP status of a failure; null when no answer came.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets whether the failure may go away by itself (no answer, 408, 429, 5xx, a malformed success).</summary>
    public bool IsTransient { get; init; }

    /// <summary>Gets a description of the failure that holds no token.</summary>
    public string? FailureMessage { get; init; }

    /// <inheritdoc />
    public override string ToString()
        => Succeeded ? $"Refreshed, expires {ExpiresAt:o}" : $"Failed: {Error ?? "no OAuth error"} (HTTP {StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, transient: {IsTransient})";
}
