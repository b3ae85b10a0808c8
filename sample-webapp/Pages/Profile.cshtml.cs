using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WikimediaSample.Pages;

public class ProfileModel : PageModel
{
    public DateTimeOffset? ExpiresAt { get; private set; }

    public async Task OnGetAsync()
    {
        var result = await HttpContext.AuthenticateAsync();
        var expiresAt = result.Properties?.GetTokenValue("expires_at");
        ExpiresAt = DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value) ? value : null;
    }
}
