using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OAuth.Claims;

namespace AspNet.Security.OAuth.Wikimedia.ClaimMapping;

/// <summary>
/// Adds one <see cref="ClaimTypes.Role"/> per entry of the profile's <c>groups</c>, leaving out <c>*</c>,
/// the implicit group every visitor, even an anonymous one, belongs to.
/// </summary>
internal sealed class GroupRoleClaimAction() : ClaimAction(ClaimTypes.Role, ClaimValueTypes.String)
{
    public override void Run(JsonElement userData, ClaimsIdentity identity, string issuer)
    {
        if (!userData.TryGetProperty("groups", out var groups) || groups.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var group in groups.EnumerateArray())
        {
            if (group.ValueKind == JsonValueKind.String && group.GetString() is { Length: > 0 } name && name != "*")
            {
                identity.AddClaim(new Claim(ClaimType, name, ValueType, issuer));
            }
        }
    }
}
