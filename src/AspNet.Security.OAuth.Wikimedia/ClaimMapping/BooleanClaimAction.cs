using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OAuth.Claims;

namespace AspNet.Security.OAuth.Wikimedia.ClaimMapping;

/// <summary>
/// Maps a JSON boolean to a claim whose value is <c>true</c> or <c>false</c> (lower case, as xsd:boolean),
/// where the framework's JSON mapping would write <c>True</c>. Anything but a JSON boolean adds no claim.
/// </summary>
internal sealed class BooleanClaimAction(string claimType, string jsonKey) : ClaimAction(claimType, ClaimValueTypes.Boolean)
{
    public override void Run(JsonElement userData, ClaimsIdentity identity, string issuer)
    {
        if (userData.TryGetProperty(jsonKey, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            identity.AddClaim(new Claim(ClaimType, value.ValueKind == JsonValueKind.True ? "true" : "false", ValueType, issuer));
        }
    }
}
