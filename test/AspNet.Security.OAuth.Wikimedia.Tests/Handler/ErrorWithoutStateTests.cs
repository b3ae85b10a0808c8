using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

/// <summary>Only Wikimedia's Cancel (<c>unauthorized_client</c> or <c>access_denied</c> without state) means "cancelled".</summary>
public class ErrorWithoutStateTests
{
    [Theory]
    [InlineData("server_error")]
    [InlineData("temporarily_unavailable")]
    [InlineData("invalid_scope")]
    public async Task Any_other_error_without_state_is_a_sign_in_failure_with_its_own_log_line(string error)
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();
        await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));

        using var landed = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin-wikimedia?error=" + error + "&error_description=Something+went+wrong"));

        Assert.Equal("/failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var failure = Assert.Single(app.RemoteFailures);
        Assert.Equal(error, failure.Data["error"]);
        var logs = app.Logs.GetSnapshot();
        Assert.Contains(logs, l => l.Id.Id == 7 && l.Message.Contains(error, StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Id.Id == 2 && l.Category == typeof(WikimediaAuthenticationHandler).FullName);
    }

    [Theory]
    [InlineData("unauthorized_client")]
    [InlineData("access_denied")]
    public async Task The_cancel_errors_without_state_are_access_denied(string error)
    {
        using var emulator = WikimediaEmulator.Start();
        await using var app = await TestApp.StartAsync(emulator);
        using var browser = new TestBrowser();
        await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));

        using var landed = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin-wikimedia?error=" + error));

        Assert.Equal("Access denied. Return: /me", await landed.Content.ReadAsStringAsync());
        Assert.Empty(app.RemoteFailures);
    }
}
