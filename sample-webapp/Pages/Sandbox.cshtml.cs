using System.Globalization;
using AspNet.Security.OAuth.Wikimedia;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WikimediaSample.Pages;

/// <summary>
/// "Edit my sandbox": shows the signed-in user's <c>User:{name}/sandbox</c> and saves it as the user, with a comment
/// (docs/token-refresh.md, "Editing pages"). Every refusal of the wiki becomes a sentence, never an error page.
/// </summary>
// Antiforgery is checked in OnPostAsync, so that an expired form gets a friendly message instead of a bare 400.
[IgnoreAntiforgeryToken]
public class SandboxModel(WikimediaApiClient api, IAntiforgery antiforgery) : PageModel
{
    /// <summary>MediaWiki's default $wgMaxArticleSize is 2 MiB; an edit summary is at most 500 characters.</summary>
    private const int MaxSourceLength = 2 * 1024 * 1024;
    private const int MaxCommentLength = 500;

    public string PageTitle { get; private set; } = "";

    /// <summary>The text in the form: the page's, or the user's own after a refusal.</summary>
    [BindProperty]
    public string? Source { get; set; }

    [BindProperty]
    public string? Comment { get; set; }

    /// <summary>The revision the form's text is based on; empty when the sandbox does not exist yet.</summary>
    [BindProperty]
    public long? LatestRevisionId { get; set; }

    /// <summary>After an edit conflict: the text someone else saved meanwhile.</summary>
    public string? TheirText { get; private set; }

    public string? Problem { get; private set; }

    public long? Saved { get; private set; }

    public bool SessionExpired { get; private set; }

    public async Task OnGetAsync(long? saved, CancellationToken cancellationToken)
    {
        PageTitle = SandboxTitle();
        Saved = saved;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        PageTitle = SandboxTitle();
        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = "This form has expired. Your text is below: copy it, reload the page and try again.";
            return Page();
        }

        Source ??= "";
        Comment = Comment?.Trim() ?? "";
        if (Source.Length > MaxSourceLength || Comment.Length > MaxCommentLength)
        {
            Problem = $"The text may be at most 2 MB and the comment at most {MaxCommentLength} characters.";
            return Page();
        }

        var result = await api.EditPageAsync(PageTitle, Source, Comment, LatestRevisionId, cancellationToken: cancellationToken);
        if (result.Succeeded)
        {
            // Post/Redirect/Get: a reload does not send the edit again.
            return LocalRedirect("/sandbox?saved=" + result.Value!.Latest.Id.ToString(CultureInfo.InvariantCulture));
        }

        switch (result.Status)
        {
            case WikimediaApiStatus.EditConflict:
                Problem = "Someone saved your sandbox after you opened it (perhaps you, in another tab). Your text is kept in the form; " +
                          "the version saved meanwhile is shown below it. Merge them and save again.";
                await ShowTheirsAsync(cancellationToken);
                break;
            case WikimediaApiStatus.PermissionDenied:
                Problem = "The wiki does not let this app edit for you: its consumer lacks the edit grants, or your account is blocked.";
                break;
            case WikimediaApiStatus.Protected:
                Problem = "This page is protected: only administrators may edit it.";
                break;
            case WikimediaApiStatus.RateLimited:
                Problem = "You are editing faster than the wiki allows. Please wait " +
                          (result.RetryAfter is { } wait ? $"{Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture)} seconds" : "a few minutes") +
                          " and save again; your text is kept below.";
                break;
            case WikimediaApiStatus.NotAuthenticated or WikimediaApiStatus.Unauthorized:
                SessionExpired = true;
                Problem = "Your Wikimedia sign-in has expired. Copy your text, sign in again and save it.";
                break;
            case WikimediaApiStatus.NotFound:
                Problem = "Your sandbox was deleted after you opened it. Save again to create it anew.";
                LatestRevisionId = null;
                break;
            default:
                Problem = "Wikimedia could not save the page just now. It may have been saved all the same: reload the page to check before saving again.";
                break;
        }

        return Page();
    }

    private string SandboxTitle() => $"User:{User.Identity!.Name}/sandbox";

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var page = await api.GetPageSourceAsync(PageTitle, cancellationToken);
        switch (page.Status)
        {
            case WikimediaApiStatus.Success:
                (Source, LatestRevisionId) = (page.Value!.Source, page.Value.Latest.Id);
                break;
            case WikimediaApiStatus.NotFound:
                (Source, LatestRevisionId) = ("", null);
                break;
            case WikimediaApiStatus.NotAuthenticated or WikimediaApiStatus.Unauthorized:
                SessionExpired = true;
                Problem = "Your Wikimedia sign-in has expired. Please sign in again.";
                break;
            default:
                Problem = "Your sandbox could not be read from Wikimedia just now. Please try again in a moment.";
                break;
        }
    }

    /// <summary>After a conflict the form keeps the user's text and is based on the latest revision, shown beside it.</summary>
    private async Task ShowTheirsAsync(CancellationToken cancellationToken)
    {
        var current = await api.GetPageSourceAsync(PageTitle, cancellationToken);
        if (current.Succeeded)
        {
            (TheirText, LatestRevisionId) = (current.Value!.Source, current.Value.Latest.Id);
        }
    }
}
