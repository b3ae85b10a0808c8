using System.Net;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Sessions;

/// <summary>A stored session lives as long as the cookie's ticket, sliding or not, and no longer than its sign-out.</summary>
public sealed class ServerSideSessionLifetimeTests
{
    [Fact]
    public async Task With_sliding_expiration_the_entry_lives_while_the_session_is_used_and_expires_with_it()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync(cookie: o =>
        {
            o.ExpireTimeSpan = TimeSpan.FromHours(1);
            o.SlidingExpiration = true;
        });
        await farm.SignInAsync();
        var key = farm.SessionKey();

        // Past half the hour a request slides the session: the entry's expiry moves with the ticket's.
        farm.Time.Advance(TimeSpan.FromMinutes(40));
        using (var slid = await farm.GetAsync("/me"))
        {
            Assert.Equal(HttpStatusCode.OK, slid.StatusCode);
        }

        // Without that renewal the entry would have expired at minute 60.
        farm.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(farm.Entry(key));
        Assert.Equal("Example User", (await farm.MeAsync()).Name);
        Assert.Equal(key, farm.SessionKey());

        // An hour after the last renewal (at minute 99), both the session and its entry are gone.
        farm.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.Null(farm.Entry(key));
        Assert.True(await farm.IsAnonymousAsync());
    }

    [Fact]
    public async Task Without_sliding_expiration_the_entry_expires_at_the_tickets_absolute_expiry_however_often_it_is_used()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync(cookie: o =>
        {
            o.ExpireTimeSpan = TimeSpan.FromHours(1);
            o.SlidingExpiration = false;
        });
        await farm.SignInAsync();
        var key = farm.SessionKey();
        var expiresAt = (await farm.Store().RetrieveAsync(key))!.Properties.ExpiresUtc;

        for (var minute = 0; minute < 55; minute += 11)
        {
            farm.Time.Advance(TimeSpan.FromMinutes(11));
            Assert.Equal("Example User", (await farm.MeAsync()).Name);
        }

        Assert.Equal(expiresAt, (await farm.Store().RetrieveAsync(key))!.Properties.ExpiresUtc);
        farm.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.Null(farm.Entry(key));
        Assert.True(await farm.IsAnonymousAsync());
    }

    [Fact]
    public async Task Sign_out_removes_the_entry_and_the_old_cookie_is_worth_nothing_afterwards()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        await farm.SignInAsync();
        var key = farm.SessionKey();
        var cookie = ".AspNetCore.Cookies=" + farm.SessionCookie().Value;
        Assert.NotNull(farm.Entry(key));

        using var signOut = await farm.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(farm.App.BaseAddress, "/signout")));

        Assert.Equal(HttpStatusCode.OK, signOut.StatusCode);
        Assert.True(ServerSideSessionFixture.SetsSessionCookie(signOut));
        Assert.Null(farm.Entry(key));
        Assert.True(await farm.IsAnonymousAsync());
        // A copy of the cookie kept from before (stolen, or in another tab) no longer signs anybody in.
        Assert.True(await farm.IsAnonymousAsync(cookie));
    }

    [Fact]
    public async Task A_revoked_grant_ends_the_session_and_removes_its_entry()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        await farm.SignInAsync();
        var key = farm.SessionKey();
        farm.Emulator.RevokeGrants("Example User");
        farm.Time.Advance(farm.Lifetime);

        using var response = await farm.GetAsync("/me");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.True(ServerSideSessionFixture.SetsSessionCookie(response));
        Assert.Null(farm.Entry(key));
        Assert.Contains(farm.App.Logs.GetSnapshot(), l => l.Id.Id == 22);
    }

    [Fact]
    public async Task A_slow_request_that_renews_after_the_sign_out_does_not_bring_the_session_back()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        await farm.SignInAsync();
        var key = farm.SessionKey();
        var readBeforeSignOut = (await farm.Store().RetrieveAsync(key))!;

        using (await farm.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(farm.App.BaseAddress, "/signout"))))
        {
        }

        await farm.Store().RenewAsync(key, readBeforeSignOut);

        Assert.Null(farm.Entry(key));
    }

    [Fact]
    public async Task A_ticket_written_already_expired_leaves_no_entry()
    {
        await using var farm = await ServerSideSessionFixture.StartAsync();
        await farm.SignInAsync();
        var key = farm.SessionKey();
        var ticket = (await farm.Store().RetrieveAsync(key))!;
        ticket.Properties.ExpiresUtc = farm.Time.GetUtcNow().AddSeconds(-1);

        await farm.Store().RenewAsync(key, ticket);

        Assert.Null(farm.Entry(key));
    }
}
