namespace WikimediaBlazorSample.Client;

/// <summary>What the sample's <c>/api/article</c> endpoint answers to its WebAssembly page: page facts, no token.</summary>
/// <param name="Title">The page's title.</param>
/// <param name="Id">The page id.</param>
/// <param name="Revision">The latest revision id.</param>
public sealed record ArticleSummary(string Title, long Id, long Revision);
