using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.Json;
using Microsoft.AspNetCore.Authentication.OAuth.Claims;
using static AspNet.Security.OAuth.Wikimedia.WikimediaAuthenticationConstants;

namespace AspNet.Security.OAuth.Wikimedia.ClaimMapping;

/// <summary>
/// A claim made from a typed <see cref="WikimediaProfile"/> rather than from a JSON member. It stays a
/// <see cref="ClaimAction"/> in <c>options.ClaimActions</c>, so that apps remove or replace it by claim type as
/// with any other provider; the handler hands it the profile it already read (WikimediaAuthenticationHandler.cs).
/// </summary>
internal sealed class ProfileClaimAction : ClaimAction
{
    private readonly Func<WikimediaProfile, IEnumerable<string?>> _values;

    private ProfileClaimAction(string claimType, string valueType, Func<WikimediaProfile, IEnumerable<string?>> values)
        : base(claimType, valueType) => _values = values;

    /// <summary>At most one claim: none when the value is null or empty.</summary>
    public static ProfileClaimAction One(string claimType, string valueType, Func<WikimediaProfile, string?> value)
        => new(claimType, valueType, profile => [value(profile)]);

    /// <summary>One claim per value.</summary>
    public static ProfileClaimAction Each(string claimType, Func<WikimediaProfile, IEnumerable<string>> values)
        => new(claimType, ClaimValueTypes.String, values);

    /// <summary>The claims the handler maps by default (see <see cref="WikimediaAuthenticationOptions"/>).</summary>
    public static IEnumerable<ProfileClaimAction> Defaults() =>
    [
        One(ClaimTypes.NameIdentifier, ClaimValueTypes.String, p => p.Id),
        One(ClaimTypes.Name, ClaimValueTypes.String, p => p.Username),
        // Wikimedia sends "" for accounts without an address, and an unconfirmed address proves nothing about who
        // owns it (docs/protocol.md section 6).
        One(ClaimTypes.Email, ClaimValueTypes.Email, p => p.ConfirmedEmail == true ? p.Email : null),
        Each(ClaimTypes.Role, p => p.Groups),
        One(Claims.EditCount, ClaimValueTypes.Integer, p => p.EditCount?.ToString(CultureInfo.InvariantCulture)),
        One(Claims.Registered, ClaimValueTypes.DateTime, p => p.Registered?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
        One(Claims.Blocked, ClaimValueTypes.Boolean, p => Boolean(p.Blocked)),
        One(Claims.ConfirmedEmail, ClaimValueTypes.Boolean, p => Boolean(p.ConfirmedEmail)),
    ];

    /// <summary>Adds the claims of <paramref name="profile"/>.</summary>
    public void Run(WikimediaProfile profile, ClaimsIdentity identity, string issuer)
    {
        foreach (var value in _values(profile))
        {
            if (!string.IsNullOrEmpty(value))
            {
                identity.AddClaim(new Claim(ClaimType, value, ValueType, issuer));
            }
        }
    }

    /// <summary>
    /// Reads the profile from <paramref name="userData"/> first: this is only reached when an app runs the claim
    /// actions itself (<c>OAuthCreatingTicketContext.RunClaimActions(JsonElement)</c>) on JSON of its own.
    /// </summary>
    public override void Run(JsonElement userData, ClaimsIdentity identity, string issuer)
    {
        if (WikimediaProfileJson.Read(userData) is { } profile)
        {
            Run(profile, identity, issuer);
        }
    }

    /// <summary>As xsd:boolean, in lower case, where <see cref="bool.ToString()"/> would write <c>True</c>.</summary>
    private static string? Boolean(bool? value) => value switch
    {
        true => "true",
        false => "false",
        null => null,
    };
}
