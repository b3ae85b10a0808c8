using AspNet.Security.OAuth.Wikimedia.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Emulator;

/// <summary><see cref="WikimediaEmulatorOptions.Server"/> supplies defaults; options set one by one win over them.</summary>
public class EmulatedServerOptionsTests
{
    [Theory]
    [InlineData(EmulatedServer.Wikimedia, 4 * 3600, 600, false, "application/json")]
    [InlineData(EmulatedServer.MediaWiki139, 3600, 0, true, "text/html; charset=UTF-8")]
    [InlineData(EmulatedServer.MediaWiki143, 3600, 0, true, "application/json")]
    public void The_server_supplies_the_defaults(EmulatedServer server, int lifetimeSeconds, int graceSeconds, bool refusePublic, string profileType)
    {
        var options = new WikimediaEmulatorOptions { Server = server };

        Assert.Equal(TimeSpan.FromSeconds(lifetimeSeconds), options.AccessTokenLifetime);
        Assert.Equal(TimeSpan.FromSeconds(graceSeconds), options.RefreshGraceWindow);
        Assert.Equal(refusePublic, options.RefuseRefreshForPublicClients);
        Assert.Equal(profileType, options.ProfileContentType);
    }

    [Fact]
    public void Wikimedia_is_the_default_server()
        => Assert.Equal(EmulatedServer.Wikimedia, new WikimediaEmulatorOptions().Server);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Options_set_one_by_one_win_over_the_server_whatever_the_order(bool serverFirst)
    {
        var options = new WikimediaEmulatorOptions();
        if (serverFirst)
        {
            options.Server = EmulatedServer.MediaWiki139;
        }

        options.AccessTokenLifetime = TimeSpan.FromMinutes(5);
        options.RefreshGraceWindow = TimeSpan.FromSeconds(30);
        options.RefuseRefreshForPublicClients = false;
        options.ProfileContentType = "application/json";
        options.Server = EmulatedServer.MediaWiki139;

        Assert.Equal(TimeSpan.FromMinutes(5), options.AccessTokenLifetime);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RefreshGraceWindow);
        Assert.False(options.RefuseRefreshForPublicClients);
        Assert.Equal("application/json", options.ProfileContentType);
    }

    [Fact]
    public void Options_left_alone_follow_a_server_changed_later()
    {
        var options = new WikimediaEmulatorOptions { AccessTokenLifetime = TimeSpan.FromMinutes(5) };

        options.Server = EmulatedServer.MediaWiki139;

        Assert.Equal(TimeSpan.FromMinutes(5), options.AccessTokenLifetime);
        Assert.Equal(TimeSpan.Zero, options.RefreshGraceWindow);
    }
}
