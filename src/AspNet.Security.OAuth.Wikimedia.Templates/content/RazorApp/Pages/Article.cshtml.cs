using System.Globalization;
using AspNet.Security.OAuth.Wikimedia;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WikimediaRazorApp.Pages;

public class ArticleModel(WikimediaApiClient api) : PageModel
{
    public string Title { get; private set; } = "Earth";

    public WikimediaPage? Article { get; private set; }

    public string? Problem { get; private set; }

    public async Task OnGetAsync(string? title, CancellationToken cancellationToken)
    {
        Title = string.IsNullOrWhiteSpace(title) ? "Earth" : title.Trim();
        if (Title.Length > 255)
        {
            Problem = "Titles are at most 255 characters long.";
            return;
        }

        // The wiki is configuration: WikimediaApi:BaseAddress (a wiki's REST root, or the gateway with
        // WikimediaApi:Project and WikimediaApi:Language), so this line is the same for both.
        var result = await api.GetPageAsync(Title, cancellationToken);
        Article = result.Value;
        Problem = result.Status switch
        {
            WikimediaApiStatus.Success => null,
            WikimediaApiStatus.NotFound => $"The wiki has no page called “{Title}”.",
            WikimediaApiStatus.RateLimited => "Wikimedia asks us to slow down. Please try again " +
                (result.RetryAfter is { } wait ? $"in {Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture)} seconds." : "in a moment."),
            WikimediaApiStatus.NotAuthenticated or WikimediaApiStatus.Unauthorized => "Your Wikimedia sign-in has expired. Please sign in again.",
            WikimediaApiStatus.Forbidden => "Wikimedia refused this request: the app's access may have been revoked. Please sign in again.",
            _ => "Wikimedia could not be reached just now. Please try again in a moment.",
        };
    }
}
