using System.Globalization;
using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using static AspNet.Security.OAuth.Wikimedia.WikimediaAuthenticationConstants;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

public class SignInFlowTests
{
    [Fact]
    public async Task Full_sign_in_yields_the_emulator_users_profile_as_claims_and_saves_the_tokens()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress, "Example User"));

        var user = emulator.Options.Users.Single(u => u.Username == "Example User");
        Assert.Equal(user.Id, me.Value(ClaimTypes.NameIdentifier));
        Assert.Equal(user.Username, me.Name);
        Assert.Equal(user.Email, me.Value(ClaimTypes.Email));
        Assert.Equal(["user", "autoconfirmed"], me.Values(ClaimTypes.Role));
        Assert.Equal(user.EditCount.ToString(CultureInfo.InvariantCulture), me.Value(Claims.EditCount));
        Assert.Equal("2019-03-12T08:45:11Z", me.Value(Claims.Registered));
        Assert.Equal("false", me.Value(Claims.Blocked));
        Assert.Equal("true", me.Value(Claims.ConfirmedEmail));
        // Rights and grants are opt-in claims (WikimediaAuthenticationOptions.MapRightClaims, MapGrantClaims).
        Assert.Empty(me.Values(Claims.Right));
        Assert.Empty(me.Values(Claims.Grant));

        Assert.StartsWith("eyJ", me.Tokens["access_token"], StringComparison.Ordinal);
        Assert.StartsWith("def50200", me.Tokens["refresh_token"], StringComparison.Ordinal);
        Assert.Equal("Bearer", me.Tokens["token_type"]);
        var expiresAt = DateTimeOffset.Parse(me.Tokens["expires_at"], CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromHours(3.9), TimeSpan.FromHours(4));
    }
}
