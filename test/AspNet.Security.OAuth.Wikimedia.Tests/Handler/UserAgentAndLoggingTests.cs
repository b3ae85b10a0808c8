using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

public class UserAgentAndLoggingTests
{
    [Fact]
    public async Task The_user_agent_is_sent_on_token_and_profile_requests_and_no_bearer_goes_to_the_token_endpoint()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator, o => o.UserAgent = "WikiTool/1.2 (https://tool.example.org) AspNet.Security.OAuth.Wikimedia/0.1");
        using var browser = new TestBrowser();

        await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        var backchannel = emulator.Requests.Where(r => r.IsToken || r.IsProfile).ToArray();
        Assert.Equal(2, backchannel.Length);
        Assert.All(backchannel, r => Assert.Equal("WikiTool/1.2 (https://tool.example.org) AspNet.Security.OAuth.Wikimedia/0.1", r.Header("User-Agent")));
        Assert.Null(emulator.TokenRequests.Single().Header("Authorization"));
        Assert.StartsWith("Bearer eyJ", emulator.Requests.Single(r => r.IsProfile).Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_user_agent_is_descriptive_not_the_generic_framework_one()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        var agent = emulator.TokenRequests.Single().Header("User-Agent");
        Assert.Matches(@"^\S+/\S+ AspNet\.Security\.OAuth\.Wikimedia/\d", agent);
        Assert.DoesNotContain("Microsoft ASP.NET Core OAuth handler", agent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://meta.wikimedia.org/w/rest.php", "Tool/1.0", true)]
    [InlineData("https://en.wikipedia.org/w/rest.php", "Tool/1.0 AspNet.Security.OAuth.Wikimedia/0.1", true)]
    [InlineData("https://meta.wikimedia.org/w/rest.php", "Tool/1.0 (https://tool.example.org)", false)]
    [InlineData("https://meta.wikimedia.org/w/rest.php", "Tool/1.0 (ops@example.org)", false)]
    [InlineData("https://wiki.example.org/rest.php", "Tool/1.0", false)]
    public async Task One_startup_warning_when_a_wikimedia_authority_meets_a_user_agent_without_contact(string authority, string userAgent, bool warns)
    {
        await using var app = await TestApp.StartAsync(emulator: null, o =>
        {
            o.ClientId = WikimediaEmulatorOptions.DefaultClientId;
            o.Authority = authority;
            o.UserAgent = userAgent;
        });

        var warnings = app.Logs.GetSnapshot().Where(l => l.Id.Id == 100).ToArray();
        if (warns)
        {
            var warning = Assert.Single(warnings);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains("User-Agent policy", warning.Message, StringComparison.Ordinal);
            Assert.Contains(userAgent, warning.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(warnings);
        }
    }

    [Fact]
    public async Task No_token_code_verifier_or_secret_appears_in_any_log_line_of_a_whole_sign_in()
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        var callback = browser.History.Single(u => u.AbsolutePath == "/signin-wikimedia");
        var secrets = new[]
        {
            me.Tokens["access_token"],
            me.Tokens["refresh_token"],
            QueryHelpers.ParseQuery(callback.Query)["code"].ToString(),
            emulator.TokenRequests.Single().Form["code_verifier"],
            WikimediaEmulatorOptions.DefaultClientSecret,
        };
        var logs = app.Logs.GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.Contains(logs, l => l.Category == typeof(WikimediaAuthenticationHandler).FullName && l.Message.Contains("signed in", StringComparison.Ordinal));
        foreach (var record in logs)
        {
            var text = record.Message + " " + record.Exception + " " + string.Join(" ", record.StructuredState?.Select(p => p.Value) ?? []);
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }
}
