using System.Net;
using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using static AspNet.Security.OAuth.Wikimedia.WikimediaAuthenticationConstants;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

public class ProfileClaimsTests
{
    private static async Task<MeResponse> SignInAsync(Action<WikimediaEmulatorOptions> emulatorOptions, string user = "Example User", Action<WikimediaAuthenticationOptions>? configure = null)
    {
        using var emulator = WikimediaEmulator.Start(emulatorOptions);
        await using var app = await TestApp.StartAsync(emulator, configure);
        using var browser = new TestBrowser();
        return await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress, user));
    }

    [Fact]
    public async Task Sub_as_a_json_number_is_accepted()
    {
        var me = await SignInAsync(o => o.ProfileSubAsNumber = true);
        Assert.Equal("12345678", me.Value(ClaimTypes.NameIdentifier));
    }

    [Fact]
    public async Task A_profile_labelled_text_html_is_parsed_as_json()
    {
        var me = await SignInAsync(o => o.ProfileContentType = "text/html; charset=UTF-8");
        Assert.Equal("Example User", me.Name);
    }

    [Fact]
    public async Task A_suppressed_user_signs_in_with_just_an_id_and_blocked()
    {
        var me = await SignInAsync(o => o.Users[0].Suppressed = true);

        Assert.Equal("12345678", me.Value(ClaimTypes.NameIdentifier));
        Assert.Equal("true", me.Value(Claims.Blocked));
        Assert.Null(me.Name);
        Assert.Empty(me.Values(ClaimTypes.Role));
    }

    [Fact]
    public async Task An_unconfirmed_email_gives_no_email_claim()
    {
        var me = await SignInAsync(_ => { }, "Newcomer");

        Assert.Null(me.Value(ClaimTypes.Email));
        Assert.Equal("false", me.Value(Claims.ConfirmedEmail));
    }

    [Fact]
    public async Task An_empty_email_gives_no_email_claim_even_when_confirmed()
    {
        var me = await SignInAsync(o => o.Users[1].ConfirmedEmail = true, "Alice Admin");

        Assert.Null(me.Value(ClaimTypes.Email));
        Assert.Equal(["user", "autoconfirmed", "sysop"], me.Values(ClaimTypes.Role));
    }

    [Fact]
    public async Task Without_the_private_grant_there_is_no_email()
    {
        var me = await SignInAsync(_ => { }, configure: o => o.MapGrantClaims().Scope.Add("basic"));

        Assert.Null(me.Value(ClaimTypes.Email));
        Assert.Equal(["basic"], me.Values(Claims.Grant));
    }

    [Fact]
    public async Task A_null_registration_date_gives_no_registered_claim()
    {
        var me = await SignInAsync(o => o.Users[0].Registered = null);

        Assert.Null(me.Value(Claims.Registered));
        Assert.Equal("Example User", me.Name);
    }

    [Fact]
    public async Task Claim_value_types_are_declared()
    {
        var me = await SignInAsync(_ => { });

        Assert.Equal(ClaimValueTypes.Integer, me.Claims.Single(c => c.Type == Claims.EditCount).ValueType);
        Assert.Equal(ClaimValueTypes.DateTime, me.Claims.Single(c => c.Type == Claims.Registered).ValueType);
        Assert.Equal(ClaimValueTypes.Boolean, me.Claims.Single(c => c.Type == Claims.Blocked).ValueType);
        Assert.All(me.Claims, c => Assert.DoesNotContain("*", c.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_json_types_in_optional_fields_are_ignored_not_fatal()
    {
        using var emulator = WikimediaEmulator.Start();
        emulator.Faults.Add(EmulatorEndpoint.Profile, new EmulatorFault
        {
            StatusCode = HttpStatusCode.OK,
            Body = """{"sub":"77","username":"Odd","editcount":"many","groups":"user","rights":null,"registered":20190312,"blocked":"no","email":42,"confirmed_email":true}""",
        });
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        Assert.Equal("77", me.Value(ClaimTypes.NameIdentifier));
        Assert.Equal("Odd", me.Name);
        Assert.Empty(me.Values(ClaimTypes.Role));
        Assert.Null(me.Value(ClaimTypes.Email));
        Assert.Null(me.Value(Claims.Registered));
        Assert.Null(me.Value(Claims.Blocked));
    }
}
