using System.Net;
using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
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

    [Fact]
    public async Task A_profile_with_only_a_sub_signs_in_with_just_an_id()
    {
        using var emulator = WikimediaEmulator.Start();
        emulator.Faults.Add(EmulatorEndpoint.Profile, new EmulatorFault { StatusCode = HttpStatusCode.OK, Body = """{"sub":"5"}""" });
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        Assert.Equal([ClaimTypes.NameIdentifier], me.Claims.Select(c => c.Type));
        Assert.Equal("5", me.Value(ClaimTypes.NameIdentifier));
    }

    [Fact]
    public async Task A_claim_action_of_the_app_still_maps_an_extra_profile_key()
    {
        // The apps' usual extension point (aspnet-contrib providers): the built-in claims come from the typed profile,
        // but the JSON the app's actions read is still the profile endpoint's.
        var me = await SignInAsync(_ => { }, configure: o =>
        {
            o.ClaimActions.MapJsonKey("urn:test:email_verified", "email_verified", ClaimValueTypes.Boolean);
            o.ClaimActions.MapCustomJson("urn:test:has_username", user => user.TryGetProperty("username", out _) ? "yes" : null);
        });

        Assert.Equal("True", me.Value("urn:test:email_verified"));
        Assert.Equal("yes", me.Value("urn:test:has_username"));
        Assert.Equal("12345678", me.Value(ClaimTypes.NameIdentifier));
    }

    [Fact]
    public async Task A_default_claim_can_be_removed_or_deleted_as_with_other_providers()
    {
        var me = await SignInAsync(_ => { }, configure: o =>
        {
            o.ClaimActions.Remove(ClaimTypes.Role);
            o.ClaimActions.DeleteClaim(Claims.EditCount);
            o.ClaimActions.Remove(ClaimTypes.Name);
            o.ClaimActions.MapJsonKey(ClaimTypes.Name, "username");
            o.MapGrantClaims().ClaimActions.DeleteClaim(Claims.Grant);
        });

        Assert.Empty(me.Values(ClaimTypes.Role));
        Assert.Null(me.Value(Claims.EditCount));
        Assert.Empty(me.Values(Claims.Grant));
        Assert.Equal("Example User", me.Name);
        Assert.Equal(["Example User"], me.Values(ClaimTypes.Name));
    }

    [Fact]
    public async Task The_app_can_run_the_claim_actions_again_in_creating_ticket()
    {
        // Some apps re-run the actions on JSON of their own: the built-in ones then read the profile from it.
        var me = await SignInAsync(_ => { }, configure: o => o.Events.OnCreatingTicket = context =>
        {
            using var other = System.Text.Json.JsonDocument.Parse("""{"sub":99,"username":"Other","groups":["*","bot"]}""");
            foreach (var claim in context.Identity!.Claims.ToList())
            {
                context.Identity.RemoveClaim(claim);
            }

            context.RunClaimActions(other.RootElement);
            return Task.CompletedTask;
        });

        Assert.Equal("99", me.Value(ClaimTypes.NameIdentifier));
        Assert.Equal("Other", me.Name);
        Assert.Equal(["bot"], me.Values(ClaimTypes.Role));
    }
}
