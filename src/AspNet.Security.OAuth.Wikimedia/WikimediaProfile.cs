using System.Text.Json.Serialization;

namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// The signed-in user's profile, from the scheme's profile endpoint (<c>oauth2/resource/profile</c>): what the sign-in's
/// claims are made from, and what <see cref="WikimediaApiClient.GetProfileAsync(CancellationToken)"/> returns.
/// </summary>
/// <remarks>
/// <para>
/// Wikimedia's answer is read leniently: a member that is missing, null, or of another JSON type than documented
/// leaves its property null (an empty list for the lists), so that a change on the server costs one field, not every
/// sign-in. Only an answer without a usable <c>sub</c> is refused.
/// </para>
/// <para>
/// Serialized by an app, it keeps the endpoint's member names and writes each value in its standard JSON form
/// (<see cref="Registered"/> as ISO 8601); that is also the form it is read back from.
/// </para>
/// <para>
/// The lists are never null: a null given for one is an empty list. Generated JSON metadata sets every init-only
/// property, those absent from the JSON with null, which would otherwise replace the empty list.
/// </para>
/// </remarks>
public sealed class WikimediaProfile
{
    /// <summary>
    /// Gets the central user id (<c>sub</c>), the same on every wiki of the farm. Wikimedia sends it as a JSON string,
    /// and sent it as a number before December 2024: both are read, as the number's digits.
    /// </summary>
    [JsonPropertyName("sub")]
    public required string Id { get; init; }

    /// <summary>Gets the user name; null for a suppressed user.</summary>
    [JsonPropertyName("username")]
    public string? Username { get; init; }

    /// <summary>Gets the edit count on the wiki that answered.</summary>
    [JsonPropertyName("editcount")]
    public long? EditCount { get; init; }

    /// <summary>Gets whether the user's e-mail address is confirmed.</summary>
    [JsonPropertyName("confirmed_email")]
    public bool? ConfirmedEmail { get; init; }

    /// <summary>Gets whether the user is blocked.</summary>
    [JsonPropertyName("blocked")]
    public bool? Blocked { get; init; }

    /// <summary>Gets when the account was registered, in UTC; null for very old accounts.</summary>
    [JsonPropertyName("registered")]
    public DateTimeOffset? Registered { get; init; }

    /// <summary>
    /// Gets the user's groups, for example <c>user</c> and <c>autoconfirmed</c>, without <c>*</c>, the implicit group
    /// every visitor, even an anonymous one, belongs to.
    /// </summary>
    [JsonPropertyName("groups")]
    public IReadOnlyList<string> Groups { get; init => field = value ?? []; } = [];

    /// <summary>Gets the user's rights, cut down by the server to what the token's grants allow.</summary>
    [JsonPropertyName("rights")]
    public IReadOnlyList<string> Rights { get; init => field = value ?? []; } = [];

    /// <summary>Gets the grants the user gave this consumer.</summary>
    [JsonPropertyName("grants")]
    public IReadOnlyList<string> Grants { get; init => field = value ?? []; } = [];

    /// <summary>Gets the real name; sent only with <c>mwoauth-authonlyprivate</c>, and often empty.</summary>
    [JsonPropertyName("realname")]
    public string? RealName { get; init; }

    /// <summary>
    /// Gets the e-mail address; sent only with <c>mwoauth-authonlyprivate</c>, empty for an account without one, and
    /// not necessarily the user's: see <see cref="ConfirmedEmail"/>.
    /// </summary>
    [JsonPropertyName("email")]
    public string? Email { get; init; }
}
