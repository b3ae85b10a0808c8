using System.Net;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sample;

/// <summary>The built-in emulator stands in for Wikimedia in Development only.</summary>
public class SampleEnvironmentTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Outside_development_a_missing_client_id_stops_start_up_naming_the_keys(string environment)
    {
        var error = Assert.ThrowsAny<Exception>(() => new SampleApp(b => b.UseEnvironment(environment)).Dispose());

        var message = error.GetBaseException().Message;
        Assert.Contains("Authentication:Schemes:Wikimedia:ClientId", message, StringComparison.Ordinal);
        Assert.Contains("Authentication:Schemes:Wikimedia:ClientSecret", message, StringComparison.Ordinal);
        Assert.Contains(environment, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_a_missing_client_id_starts_the_emulator()
    {
        using var app = new SampleApp();
        using var browser = new TestBrowser();

        using var home = await browser.GetAsync(app.BaseAddress);

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("built-in Wikimedia emulator", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server_error")]
    [InlineData("temporarily_unavailable")]
    public async Task The_sample_shows_an_error_without_state_as_a_failure_not_as_a_cancel(string error)
    {
        using var app = new SampleApp();
        using var browser = new TestBrowser();
        await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fprofile"));

        using var landed = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin-wikimedia?error=" + error));
        var body = await landed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal("/signin-failed", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("could not complete the sign-in", body, StringComparison.Ordinal);
        Assert.DoesNotContain("cancelled", body, StringComparison.OrdinalIgnoreCase);
    }
}
