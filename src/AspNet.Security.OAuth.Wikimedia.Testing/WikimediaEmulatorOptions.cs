using AspNet.Security.OAuth.Wikimedia.Testing.Internal;

namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// Settings of a <see cref="WikimediaEmulator"/>: who is registered, how long things live, and what quirks it shows.
/// The defaults are those of Wikimedia's wikis in 2026 (docs/protocol.md); <see cref="Server"/> switches to those of
/// MediaWiki 1.39 or 1.43.
/// </summary>
/// <remarks>
/// <see cref="AccessTokenLifetime"/>, <see cref="RefreshGraceWindow"/>, <see cref="RefuseRefreshForPublicClients"/>
/// and <see cref="ProfileContentType"/> follow <see cref="Server"/> until they are set: reading one gives the value
/// in effect, and a value set wins over the server's default whatever the order of the assignments.
/// </remarks>
public sealed class WikimediaEmulatorOptions
{
    private TimeSpan? _accessTokenLifetime;
    private TimeSpan? _refreshGraceWindow;
    private bool? _refuseRefreshForPublicClients;
    private string? _profileContentType;

    /// <summary>The consumer key of the default confidential client.</summary>
    public const string DefaultClientId = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    /// <summary>The consumer secret of the default confidential client.</summary>
    public const string DefaultClientSecret = "5ec2e7e0f1a2b3c4d5e6f708192a3b4c5d6e7f80";

    /// <summary>The consumer key of the default public client (no secret, PKCE required).</summary>
    public const string DefaultPublicClientId = "f9e8d7c6b5a49382716f5e4d3c2b1a09";

    /// <summary>
    /// Gets the registered consumers. By default a confidential one (<see cref="DefaultClientId"/>) and a public one
    /// (<see cref="DefaultPublicClientId"/>), both with the callbacks <c>http://127.0.0.1/signin-wikimedia</c> and
    /// <c>http://[::1]/signin-wikimedia</c>, which match any port.
    /// </summary>
    public IList<EmulatorClient> Clients { get; } = new List<EmulatorClient>
    {
        new() { ClientId = DefaultClientId, ClientSecret = DefaultClientSecret, Name = "Emulated confidential consumer", RedirectUris = { "http://127.0.0.1/signin-wikimedia", "http://[::1]/signin-wikimedia" } },
        new() { ClientId = DefaultPublicClientId, Name = "Emulated public consumer", RedirectUris = { "http://127.0.0.1/signin-wikimedia", "http://[::1]/signin-wikimedia" } },
    };

    /// <summary>Gets the accounts one can sign in as. The first is the default choice on the consent page.</summary>
    public IList<EmulatorUser> Users { get; } = new List<EmulatorUser>
    {
        new() { Id = "12345678", Username = "Example User", EditCount = 42, Email = "example@example.org", ConfirmedEmail = true, Registered = new DateTime(2019, 3, 12, 8, 45, 11, DateTimeKind.Utc) },
        new() { Id = "23456789", Username = "Alice Admin", EditCount = 15023, Registered = new DateTime(2008, 11, 2, 17, 3, 0, DateTimeKind.Utc), Groups = { "sysop" }, Rights = { "delete", "block" } },
        new() { Id = "34567890", Username = "Newcomer", Email = "newcomer@example.org", ConfirmedEmail = false, Registered = new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc) },
    };

    /// <summary>Gets the pages served by the REST API routes. By default Earth, AC/DC and Zürich, on English Wikipedia.</summary>
    public IList<EmulatorPage> Pages { get; } = new List<EmulatorPage>
    {
        new() { Id = 9228, Title = "Earth", LatestRevisionId = 1262236514, LatestRevisionTimestamp = new DateTime(2026, 11, 20, 14, 2, 33, DateTimeKind.Utc), Description = "Third planet from the Sun" },
        new() { Id = 18944, Title = "AC/DC", LatestRevisionId = 1261000001, LatestRevisionTimestamp = new DateTime(2026, 10, 3, 8, 0, 0, DateTimeKind.Utc), Description = "Australian rock band" },
        new() { Id = 34223, Title = "Zürich", LatestRevisionId = 1260000002, LatestRevisionTimestamp = new DateTime(2026, 9, 14, 21, 30, 0, DateTimeKind.Utc), Description = "City in Switzerland" },
    };

    /// <summary>
    /// Gets or sets which server the emulator behaves like where servers differ. Default:
    /// <see cref="EmulatedServer.Wikimedia"/>. It supplies the defaults of <see cref="AccessTokenLifetime"/>,
    /// <see cref="RefreshGraceWindow"/>, <see cref="RefuseRefreshForPublicClients"/> and
    /// <see cref="ProfileContentType"/>, and the answers that have no option of their own (docs/emulator.md).
    /// </summary>
    public EmulatedServer Server { get; set; } = EmulatedServer.Wikimedia;

    /// <summary>
    /// Gets or sets the lifetime of access tokens, which token answers give as <c>expires_in</c>. Unless set: 4 hours
    /// on <see cref="EmulatedServer.Wikimedia"/>, 1 hour on <see cref="EmulatedServer.MediaWiki139"/> and <see cref="EmulatedServer.MediaWiki143"/>.
    /// </summary>
    public TimeSpan AccessTokenLifetime
    {
        get => _accessTokenLifetime ?? (this.IsMediaWiki() ? TimeSpan.FromHours(1) : TimeSpan.FromHours(4));
        set => _accessTokenLifetime = value;
    }

    /// <summary>Gets or sets the lifetime of refresh tokens. Default: 365 days.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Gets or sets the lifetime of authorization codes. Default: 10 minutes.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets how long a rotated refresh token keeps working. Unless set: 600 s on
    /// <see cref="EmulatedServer.Wikimedia"/> (since mid-2026), <see cref="TimeSpan.Zero"/> (single use, strict
    /// rotation) on <see cref="EmulatedServer.MediaWiki139"/> and <see cref="EmulatedServer.MediaWiki143"/>.
    /// </summary>
    public TimeSpan RefreshGraceWindow
    {
        get => _refreshGraceWindow ?? (this.IsMediaWiki() ? TimeSpan.Zero : TimeSpan.FromSeconds(600));
        set => _refreshGraceWindow = value;
    }

    /// <summary>
    /// Gets or sets whether public consumers are refused refresh with <c>401 invalid_client</c>. Unless set: false on
    /// <see cref="EmulatedServer.Wikimedia"/>, true on <see cref="EmulatedServer.MediaWiki139"/> and <see cref="EmulatedServer.MediaWiki143"/>.
    /// </summary>
    public bool RefuseRefreshForPublicClients
    {
        get => _refuseRefreshForPublicClients ?? this.IsMediaWiki();
        set => _refuseRefreshForPublicClients = value;
    }

    /// <summary>
    /// Gets or sets whether token answers carry <c>expires_in</c>. Default: true, as every known MediaWiki does;
    /// false tests a client against a server that leaves it out (RFC 6749 makes it optional).
    /// </summary>
    public bool SendExpiresIn { get; set; } = true;

    /// <summary>Gets or sets whether the profile's <c>sub</c> is a JSON number, as before December 2024.</summary>
    public bool ProfileSubAsNumber { get; set; }

    /// <summary>
    /// Gets or sets the Content-Type of the profile's JSON. Unless set: <c>application/json</c> on
    /// <see cref="EmulatedServer.Wikimedia"/>, <c>text/html; charset=UTF-8</c> on <see cref="EmulatedServer.MediaWiki139"/>.
    /// </summary>
    public string ProfileContentType
    {
        get => _profileContentType ?? (Server == EmulatedServer.MediaWiki139 ? "text/html; charset=UTF-8" : "application/json");
        set => _profileContentType = value;
    }

    /// <summary>
    /// Gets or sets the user name to approve as without showing the consent page, as the real server does for a
    /// consumer the user already approved. Null (the default) shows the page.
    /// </summary>
    public string? AutoApproveAs { get; set; }

    /// <summary>Gets or sets the clock that issues and expires codes and tokens. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets how many requests the journal keeps; the oldest are dropped beyond it, so that a long-running
    /// emulator (the sample's) does not grow without bound. Default: 10,000.
    /// </summary>
    public int MaxJournalEntries { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how many edits each user may make per <see cref="EditRateLimitPeriod"/>; beyond it an edit is
    /// answered 429 as MediaWiki answers it (no <c>Retry-After</c>). Null (the default): no limit.
    /// </summary>
    public int? EditRateLimit { get; set; }

    /// <summary>Gets or sets the period of <see cref="EditRateLimit"/>. Default: 1 minute.</summary>
    public TimeSpan EditRateLimitPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets the loopback port to listen on; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }
}
