namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// A Wikimedia account known to the emulator; its profile is what <c>/oauth2/resource/profile</c> returns.
/// </summary>
public sealed class EmulatorUser
{
    /// <summary>Gets or sets the central user id (the profile's <c>sub</c>).</summary>
    public required string Id { get; set; }

    /// <summary>Gets or sets the user name.</summary>
    public required string Username { get; set; }

    /// <summary>Gets or sets the edit count.</summary>
    public int EditCount { get; set; }

    /// <summary>Gets or sets the e-mail address; <c>""</c> when the account has none.</summary>
    public string Email { get; set; } = "";

    /// <summary>Gets or sets whether the e-mail address is confirmed.</summary>
    public bool ConfirmedEmail { get; set; }

    /// <summary>Gets or sets when the account was registered (UTC); null for accounts older than the field.</summary>
    public DateTime? Registered { get; set; }

    /// <summary>Gets or sets whether the user is blocked.</summary>
    public bool Blocked { get; set; }

    /// <summary>Gets or sets whether the user is suppressed: the profile is then only <c>{"sub":...,"blocked":true}</c>.</summary>
    public bool Suppressed { get; set; }

    /// <summary>Gets the user's groups, <c>*</c> included as Wikimedia sends it.</summary>
    public IList<string> Groups { get; } = new List<string> { "*", "user", "autoconfirmed" };

    /// <summary>Gets the user's rights.</summary>
    public IList<string> Rights { get; } = new List<string> { "read", "edit", "viewmyprivateinfo" };
}
