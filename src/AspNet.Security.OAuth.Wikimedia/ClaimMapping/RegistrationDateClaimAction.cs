using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OAuth.Claims;

namespace AspNet.Security.OAuth.Wikimedia.ClaimMapping;

/// <summary>
/// Turns the profile's <c>registered</c> (MediaWiki's <c>YYYYMMDDHHMMSS</c> in UTC, or null for very old
/// accounts) into an ISO 8601 UTC <see cref="WikimediaAuthenticationConstants.Claims.Registered"/> claim.
/// </summary>
internal sealed class RegistrationDateClaimAction() : ClaimAction(WikimediaAuthenticationConstants.Claims.Registered, ClaimValueTypes.DateTime)
{
    public override void Run(JsonElement userData, ClaimsIdentity identity, string issuer)
    {
        if (userData.TryGetProperty("registered", out var registered) && registered.ValueKind == JsonValueKind.String &&
            DateTime.TryParseExact(registered.GetString(), "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            identity.AddClaim(new Claim(ClaimType, date.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), ValueType, issuer));
        }
    }
}
