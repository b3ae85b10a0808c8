namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// A wiki page the emulator's REST routes serve (<c>core/v1/{project}/{language}/page/{title}/bare</c>, search, and the
/// page routes that read and edit it).
/// </summary>
public sealed class EmulatorPage
{
    /// <summary>Gets or sets the project, for example <c>wikipedia</c>.</summary>
    public string Project { get; set; } = "wikipedia";

    /// <summary>Gets or sets the language, for example <c>en</c>.</summary>
    public string Language { get; set; } = "en";

    /// <summary>Gets or sets the page id.</summary>
    public int Id { get; set; }

    /// <summary>Gets or sets the title, with spaces (the key is the title with underscores).</summary>
    public required string Title { get; set; }

    /// <summary>Gets or sets the latest revision id.</summary>
    public long LatestRevisionId { get; set; }

    /// <summary>Gets or sets the time of the latest revision (UTC).</summary>
    public DateTime LatestRevisionTimestamp { get; set; }

    /// <summary>Gets or sets the page's wikitext (<c>GET v1/page/{title}</c>); an edit through the emulator replaces it.</summary>
    public string Source { get; set; } = "";

    /// <summary>
    /// Gets or sets whether the page is protected: only users in the <c>sysop</c> group may edit it; others get MediaWiki's
    /// 403 (docs/protocol.md, "Editing").
    /// </summary>
    public bool Protected { get; set; }

    /// <summary>Gets or sets a short description, returned by search.</summary>
    public string Description { get; set; } = "";

    /// <summary>Gets the page key: the title with underscores for spaces.</summary>
    public string Key => Title.Replace(' ', '_');
}
