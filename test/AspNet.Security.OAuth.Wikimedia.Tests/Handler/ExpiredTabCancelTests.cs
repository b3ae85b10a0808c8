using System.Net;
using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

/// <summary>
/// Issue 7, item 9: "Cancel in tab A lands on tab B's return URL and tab B's sign-in then fails with 'Correlation
/// failed'". The fix attributes a Cancel (which names no sign-in) to the sign-in under way when there is exactly one.
/// But tab A's own sign-in may have expired (its cookies live 15 minutes, a consent page stays open for as long as
/// the user likes): then the one sign-in under way is tab B's.
/// </summary>
public class ExpiredTabCancelTests
{
    [Fact]
    public async Task Cancel_in_a_tab_whose_sign_in_expired_does_not_end_the_sign_in_under_way_in_another_tab()
    {
        // Tab A's sign-in starts 16 minutes ago: its correlation and pending-state cookies are gone from the browser now.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(16));
        using var emulator = WikimediaEmulator.Start(o => o.TimeProvider = time);
        await using var app = await TestApp.StartAsync(emulator, services: s => s.AddSingleton<TimeProvider>(time));
        using var browser = new TestBrowser();
        var consentA = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fa"));
        time.Advance(TimeSpan.FromMinutes(16));
        var consentB = await browser.FollowAsync(new Uri(app.BaseAddress, "/signin?returnUrl=%2Fme"));

        // The user comes back to tab A and clicks Cancel, then signs in in tab B.
        using var cancelledA = await browser.ConsentAsync(consentA, allow: false);
        using var allowedB = await browser.ConsentAsync(consentB);

        // (Where tab A lands cannot be known: the Cancel names no sign-in. Tab B's sign-in must go on.)
        Assert.Equal(HttpStatusCode.OK, cancelledA.StatusCode);
        Assert.Empty(app.RemoteFailures);
        Assert.Equal("/me", allowedB.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("Example User", (await MeResponse.ReadAsync(allowedB)).Name);
    }
}
