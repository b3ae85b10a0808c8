namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>Why no access token could be given.</summary>
public enum WikimediaAccessTokenError
{
    /// <summary>A token was given.</summary>
    None,

    /// <summary>The request has no signed-in user.</summary>
    NotAuthenticated,

    /// <summary>The user signed in without saved tokens (<c>SaveTokens</c> off, or not through Wikimedia).</summary>
    NoToken,

    /// <summary>The token expired and could not be refreshed yet (Wikimedia failing, back-off, or refresh refused).</summary>
    Expired,

    /// <summary>Wikimedia refused the refresh token (revoked, expired or reused): the session was ended.</summary>
    SessionEnded,
}

/// <summary>
/// The outcome of <see cref="IWikimediaAccessTokenProvider.GetAccessTokenAsync"/>. Holds a token value: never log it.
/// </summary>
public sealed record WikimediaAccessTokenResult
{
    /// <summary>Gets whether <see cref="AccessToken"/> holds a usable token.</summary>
    public bool Succeeded => Error == WikimediaAccessTokenError.None;

    /// <summary>Gets the access token.</summary>
    public string? AccessToken { get; init; }

    /// <summary>Gets when the access token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets when the tokens were last refreshed; null when they are still those of the sign-in.</summary>
    public DateTimeOffset? RefreshedAt { get; init; }

    /// <summary>Gets why there is no token.</summary>
    public WikimediaAccessTokenError Error { get; init; }

    /// <summary>Gets a result without a token.</summary>
    /// <param name="error">Why.</param>
    /// <returns>The result.</returns>
    public static WikimediaAccessTokenResult Failed(WikimediaAccessTokenError error) => new() { Error = error };

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"Access token expiring {ExpiresAt:o}" : $"No access token: {Error}";
}
