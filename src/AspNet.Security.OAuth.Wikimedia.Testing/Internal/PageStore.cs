namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// The pages' revisions and the edit rate limit's count, behind one lock: the pages of
/// <see cref="WikimediaEmulatorOptions.Pages"/> (each starts with its configured revision) and those created by edits.
/// </summary>
internal sealed class PageStore(WikimediaEmulatorOptions options)
{
    private readonly Lock _gate = new();
    private readonly List<EmulatorPage> _created = [];
    private readonly Dictionary<EmulatorPage, List<EmulatorRevision>> _revisions = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _edits = new(StringComparer.Ordinal);
    private long _lastRevisionId;

    public EmulatorPage? Find(string project, string language, string title)
    {
        lock (_gate)
        {
            return FindLocked(project, language, title);
        }
    }

    /// <summary>The revisions of a page, newest first; empty when there is no such page.</summary>
    public IReadOnlyList<EmulatorRevision> History(string project, string language, string title)
    {
        lock (_gate)
        {
            return FindLocked(project, language, title) is { } page ? [.. RevisionsLocked(page).AsEnumerable().Reverse()] : [];
        }
    }

    /// <summary>
    /// Runs <paramref name="edit"/> with the page (null when missing) under the lock, so that the checks and the save of
    /// one edit see no other edit in between, as MediaWiki's own edit does.
    /// </summary>
    public T Edit<T>(string project, string language, string title, Func<EmulatorPage?, T> edit)
    {
        lock (_gate)
        {
            return edit(FindLocked(project, language, title));
        }
    }

    /// <summary>Counts an edit of <paramref name="user"/> against <see cref="WikimediaEmulatorOptions.EditRateLimit"/>; false when over it. Call under <see cref="Edit{T}"/>.</summary>
    public bool TryCountEdit(string user, DateTimeOffset now)
    {
        if (options.EditRateLimit is not { } limit)
        {
            return true;
        }

        if (!_edits.TryGetValue(user, out var times))
        {
            _edits[user] = times = new Queue<DateTimeOffset>();
        }

        while (times.Count > 0 && now - times.Peek() >= options.EditRateLimitPeriod)
        {
            times.Dequeue();
        }

        if (times.Count >= limit)
        {
            return false;
        }

        times.Enqueue(now);
        return true;
    }

    /// <summary>Saves a new revision (creating the page when <paramref name="page"/> is null). Call under <see cref="Edit{T}"/>.</summary>
    public (EmulatorPage Page, EmulatorRevision Revision) Save(EmulatorPage? page, string project, string language, string title, EmulatorRevision draft)
    {
        if (page is null)
        {
            page = new EmulatorPage { Project = project, Language = language, Title = title, Id = NextPageIdLocked() };
            _created.Add(page);
        }

        var revision = draft with { Id = NextRevisionIdLocked() };
        RevisionsLocked(page).Add(revision);
        page.LatestRevisionId = revision.Id;
        page.LatestRevisionTimestamp = revision.Timestamp.UtcDateTime;
        page.Source = revision.Source;
        return (page, revision);
    }

    private EmulatorPage? FindLocked(string project, string language, string title)
        => options.Pages.Concat(_created).FirstOrDefault(p => p.Project == project && p.Language == language && p.Title == title);

    private List<EmulatorRevision> RevisionsLocked(EmulatorPage page)
    {
        if (!_revisions.TryGetValue(page, out var revisions))
        {
            // A configured page begins with the revision its options name, by nobody in particular.
            _revisions[page] = revisions = page.LatestRevisionId > 0
                ? [new EmulatorRevision(page.LatestRevisionId, new DateTimeOffset(DateTime.SpecifyKind(page.LatestRevisionTimestamp, DateTimeKind.Utc)), "Example User", "", page.Source, [])]
                : [];
        }

        return revisions;
    }

    private long NextRevisionIdLocked()
    {
        _lastRevisionId = Math.Max(_lastRevisionId, options.Pages.Concat(_created).Select(p => p.LatestRevisionId).DefaultIfEmpty(0).Max()) + 1;
        return _lastRevisionId;
    }

    private int NextPageIdLocked() => options.Pages.Concat(_created).Select(p => p.Id).DefaultIfEmpty(0).Max() + 1;
}
