using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

public class OptionsValidationTests
{
    /// <summary>Resolves the options as the framework does: configured, post-configured, then validated.</summary>
    private static WikimediaAuthenticationOptions Configured(Action<WikimediaAuthenticationOptions>? configure = null, string scheme = "Wikimedia")
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAuthentication().AddWikimedia(scheme, o =>
        {
            o.ClientId = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
            o.ClientSecret = "secret";
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<WikimediaAuthenticationOptions>>().Get(scheme);
    }

    [Fact]
    public void Defaults_point_at_meta_with_pkce_saved_tokens_and_no_scope()
    {
        var options = Configured();

        Assert.Equal("https://meta.wikimedia.org/w/rest.php", options.Authority);
        Assert.Equal("https://meta.wikimedia.org/w/rest.php/oauth2/authorize", options.AuthorizationEndpoint);
        Assert.Equal("https://meta.wikimedia.org/w/rest.php/oauth2/access_token", options.TokenEndpoint);
        Assert.Equal("https://meta.wikimedia.org/w/rest.php/oauth2/resource/profile", options.UserInformationEndpoint);
        Assert.Equal("/signin-wikimedia", options.CallbackPath);
        Assert.True(options.UsePkce);
        Assert.True(options.SaveTokens);
        Assert.Empty(options.Scope);
        Assert.Equal(TimeSpan.FromMinutes(5), options.RefreshBeforeExpiration);
    }

    [Theory]
    [InlineData("https://wiki.example.org/rest.php", "https://wiki.example.org/rest.php/oauth2/authorize")]
    [InlineData("https://wiki.example.org/w/rest.php/", "https://wiki.example.org/w/rest.php/oauth2/authorize")]
    [InlineData("http://127.0.0.1:8080/w/rest.php", "http://127.0.0.1:8080/w/rest.php/oauth2/authorize")]
    [InlineData("http://localhost/w/rest.php", "http://localhost/w/rest.php/oauth2/authorize")]
    [InlineData("http://[::1]:9000/rest.php//", "http://[::1]:9000/rest.php/oauth2/authorize")]
    public void Authority_derives_the_three_endpoints(string authority, string expectedAuthorize)
    {
        var options = Configured(o => o.Authority = authority);

        Assert.Equal(expectedAuthorize, options.AuthorizationEndpoint);
        Assert.Equal(expectedAuthorize.Replace("/oauth2/authorize", "/oauth2/access_token", StringComparison.Ordinal), options.TokenEndpoint);
        Assert.Equal(expectedAuthorize.Replace("/oauth2/authorize", "/oauth2/resource/profile", StringComparison.Ordinal), options.UserInformationEndpoint);
    }

    [Fact]
    public void Endpoints_set_one_by_one_are_kept()
    {
        var options = Configured(o =>
        {
            o.Authority = "https://wiki.example.org/rest.php";
            o.TokenEndpoint = "https://tokens.example.org/token";
        });

        Assert.Equal("https://wiki.example.org/rest.php/oauth2/authorize", options.AuthorizationEndpoint);
        Assert.Equal("https://tokens.example.org/token", options.TokenEndpoint);
    }

    [Fact]
    public void ClientId_is_required_and_the_message_names_the_configuration_key()
    {
        var error = Assert.Throws<ArgumentException>(() => Configured(o => o.ClientId = "", scheme: "Commons"));
        Assert.Equal("ClientId", error.ParamName);
        Assert.Contains("Authentication:Schemes:Commons:ClientId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_public_consumer_without_a_secret_is_valid_with_pkce()
    {
        var options = Configured(o => o.ClientSecret = "");
        Assert.True(options.UsePkce);
    }

    [Fact]
    public void A_public_consumer_without_pkce_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Configured(o =>
        {
            o.ClientSecret = "";
            o.UsePkce = false;
        }));
        Assert.Equal("ClientSecret", error.ParamName);
        Assert.Contains("Authentication:Schemes:Wikimedia:UsePkce", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://wiki.example.org/rest.php")]
    [InlineData("ftp://wiki.example.org/rest.php")]
    [InlineData("not a url")]
    public void Authority_must_be_https_unless_loopback(string authority)
    {
        var error = Assert.Throws<ArgumentException>(() => Configured(o => o.Authority = authority));
        Assert.Equal("Authority", error.ParamName);
        Assert.Contains("Authentication:Schemes:Wikimedia:Authority", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_http_endpoint_set_one_by_one_is_refused_too()
    {
        var error = Assert.Throws<ArgumentException>(() => Configured(o => o.TokenEndpoint = "http://tokens.example.org/token"));
        Assert.Equal("TokenEndpoint", error.ParamName);
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("profile")]
    [InlineData("email")]
    public void OpenId_connect_scopes_are_refused_with_the_wikimedia_alternative(string scope)
    {
        var error = Assert.Throws<ArgumentException>(() => Configured(o => o.Scope.Add(scope)));
        Assert.Contains("mwoauth-authonly", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_refresh_lead_time_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Configured(o => o.RefreshBeforeExpiration = TimeSpan.FromSeconds(-1)));

    [Fact]
    public void The_default_user_agent_names_the_app_and_the_library()
        => Assert.Matches(@"^\S+/\S+ AspNet\.Security\.OAuth\.Wikimedia/\d+\.\d+\.\d+$", Configured().UserAgent);

    [Fact]
    public void The_backchannel_is_bounded_in_time_and_size()
    {
        var options = Configured(o => o.BackchannelTimeout = TimeSpan.FromSeconds(7));
        Assert.Equal(TimeSpan.FromSeconds(7), options.Backchannel.Timeout);
        Assert.Equal(1024 * 1024, options.Backchannel.MaxResponseContentBufferSize);
    }
}
