using AspNet.Security.OAuth.Wikimedia;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WikimediaRazorApp.Pages;

public class ProfileModel(WikimediaApiClient api) : PageModel
{
    public WikimediaTokenResult Token { get; private set; } = WikimediaTokenResult.Failed(WikimediaTokenStatus.NotAuthenticated);

    /// <summary>The grants, read from Wikimedia's profile endpoint: they are not claims by default, to keep the cookie small.</summary>
    public WikimediaApiResult<WikimediaProfile>? Profile { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Token = await HttpContext.GetWikimediaAccessTokenAsync(cancellationToken: cancellationToken);
        Profile = await api.GetProfileAsync(cancellationToken);
    }
}
