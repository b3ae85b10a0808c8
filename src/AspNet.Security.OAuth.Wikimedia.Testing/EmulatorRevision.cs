namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// One revision of a page the emulator serves: what the wiki's history and its change tags record about an edit.
/// </summary>
/// <param name="Id">The revision id.</param>
/// <param name="Timestamp">When it was saved (the emulator's clock), to the second.</param>
/// <param name="User">Who saved it: the user of the access token.</param>
/// <param name="Comment">The edit summary.</param>
/// <param name="Source">The page's wikitext in this revision.</param>
/// <param name="Tags">
/// The change tags: <c>OAuth CID: {n}</c> with the consumer's <see cref="EmulatorClient.ConsumerId"/> for an edit made
/// with an OAuth 2.0 token, as Extension:OAuth tags it; none for the pages' initial revisions.
/// </param>
public sealed record EmulatorRevision(long Id, DateTimeOffset Timestamp, string User, string Comment, string Source, IReadOnlyList<string> Tags);
