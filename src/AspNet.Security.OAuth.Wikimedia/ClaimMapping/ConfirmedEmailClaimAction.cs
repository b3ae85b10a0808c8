using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OAuth.Claims;

namespace AspNet.Security.OAuth.Wikimedia.ClaimMapping;

/// <summary>
/// Adds <see cref="ClaimTypes.Email"/> only when the profile's <c>email</c> is a non-empty string and
/// <c>confirmed_email</c> is true: Wikimedia sends <c>""</c> for accounts without an address, and an
/// unconfirmed address proves nothing about who owns it (docs/protocol.md section 6).
/// </summary>
internal sealed class ConfirmedEmailClaimAction() : ClaimAction(ClaimTypes.Email, ClaimValueTypes.Email)
{
    public override void Run(JsonElement userData, ClaimsIdentity identity, string issuer)
    {
        if (userData.TryGetProperty("email", out var email) && email.ValueKind == JsonValueKind.String &&
            email.GetString() is { Length: > 0 } address &&
            userData.TryGetProperty("confirmed_email", out var confirmed) && confirmed.ValueKind == JsonValueKind.True)
        {
            identity.AddClaim(new Claim(ClaimType, address, ValueType, issuer));
        }
    }
}
