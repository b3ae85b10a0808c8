using AspNet.Security.OAuth.Wikimedia;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WikimediaSample.Pages;

public class ProfileModel : PageModel
{
    public WikimediaAccessTokenResult Token { get; private set; } = WikimediaAccessTokenResult.Failed(WikimediaAccessTokenError.NotAuthenticated);

    public async Task OnGetAsync(CancellationToken cancellationToken)
        => Token = await HttpContext.GetWikimediaAccessTokenAsync(cancellationToken: cancellationToken);
}
