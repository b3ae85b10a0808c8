using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

/// <summary>
/// An <see cref="HttpClient"/> the app builds may follow a redirect from the token endpoint, posting the client secret,
/// the code, the PKCE verifier or the refresh token to another host, and nothing can turn that off from outside: such
/// a backchannel is refused at start-up, and a handler the app supplies is told not to follow redirects.
/// </summary>
public class AppBackchannelTests
{
    [Fact]
    public async Task An_app_supplied_backchannel_is_refused_at_start_up_naming_the_option_to_use()
    {
        using var emulator = WikimediaEmulator.Start();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => TestApp.StartAsync(emulator, o => o.Backchannel = new HttpClient()));

        Assert.Equal(nameof(WikimediaAuthenticationOptions.Backchannel), error.ParamName);
        Assert.Contains(nameof(WikimediaAuthenticationOptions.BackchannelHttpHandler), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_supplied_handler_that_follows_redirects_is_told_not_to()
    {
        using var emulator = WikimediaEmulator.Start();
        var handler = new SocketsHttpHandler { AllowAutoRedirect = true };
        await using var app = await TestApp.StartAsync(emulator, o => o.BackchannelHttpHandler = handler);
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        Assert.Equal("Example User", me.Name);
        Assert.False(handler.AllowAutoRedirect);
    }

    [Fact]
    public async Task An_app_supplied_handler_that_the_app_also_uses_elsewhere_still_serves_sign_ins()
    {
        // An app may share one handler (a proxy's, say) between the backchannel and its own clients. Redirects are turned
        // off when the options are built, at start-up, as the docs say: not at the first sign-in, when the handler has
        // served other requests and its settings can no longer change.
        using var emulator = WikimediaEmulator.Start();
        var shared = new SocketsHttpHandler();
        await using var app = await TestApp.StartAsync(emulator, o => o.BackchannelHttpHandler = shared);
        using (var other = new HttpClient(shared, disposeHandler: false))
        using (await other.GetAsync(emulator.BaseAddress))
        {
        }

        using var browser = new TestBrowser();
        using var landed = await browser.SignInAsync(app.BaseAddress);

        Assert.Empty(app.RemoteFailures);
        Assert.Equal("Example User", (await MeResponse.ReadAsync(landed)).Name);
        Assert.False(shared.AllowAutoRedirect);
    }
}
