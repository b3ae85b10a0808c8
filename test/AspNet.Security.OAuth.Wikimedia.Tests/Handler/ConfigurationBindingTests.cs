using AspNet.Security.OAuth.Wikimedia.Testing;
using AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Handler;

public class ConfigurationBindingTests
{
    [Fact]
    public async Task Sign_in_works_configured_only_from_configuration_keys()
    {
        using var emulator = WikimediaEmulator.Start();
        var configuration = new Dictionary<string, string?>
        {
            ["Authentication:Schemes:Wikimedia:ClientId"] = WikimediaEmulatorOptions.DefaultClientId,
            ["Authentication:Schemes:Wikimedia:ClientSecret"] = WikimediaEmulatorOptions.DefaultClientSecret,
            ["Authentication:Schemes:Wikimedia:Authority"] = emulator.Authority,
            ["Authentication:Schemes:Wikimedia:Scope"] = "basic mwoauth-authonlyprivate",
            ["Authentication:Schemes:Wikimedia:UserAgent"] = "ConfiguredTool/2.0 (https://tools.example.org; ops@example.org)",
            ["Authentication:Schemes:Wikimedia:CallbackPath"] = "/oauth-callback",
        };
        emulator.Client().RedirectUris.Add("http://127.0.0.1/oauth-callback");
        await using var app = await TestApp.StartAsync(emulator: null, configuration: configuration);
        using var browser = new TestBrowser();

        var me = await MeResponse.ReadAsync(await browser.SignInAsync(app.BaseAddress));

        Assert.Equal("Example User", me.Name);
        var authorize = emulator.Requests.First(r => r.Path.EndsWith("/oauth2/authorize", StringComparison.Ordinal));
        Assert.Equal("basic mwoauth-authonlyprivate", authorize.Query["scope"]);
        Assert.EndsWith("/oauth-callback", authorize.Query["redirect_uri"], StringComparison.Ordinal);
        Assert.All(emulator.Requests.Where(r => r.IsToken || r.IsProfile),
            r => Assert.Equal("ConfiguredTool/2.0 (https://tools.example.org; ops@example.org)", r.Header("User-Agent")));
    }

    [Fact]
    public void Every_documented_key_binds_and_code_overrides_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Authentication:Schemes:Wiki:ClientId"] = "from-config",
            ["Authentication:Schemes:Wiki:ClientSecret"] = "secret-from-config",
            ["Authentication:Schemes:Wiki:Authority"] = "https://wiki.example.org/rest.php",
            ["Authentication:Schemes:Wiki:Scope:0"] = "basic",
            ["Authentication:Schemes:Wiki:Scope:1"] = "editpage",
            ["Authentication:Schemes:Wiki:UserAgent"] = "Tool/1 (ops@example.org)",
            ["Authentication:Schemes:Wiki:CallbackPath"] = "/cb",
            ["Authentication:Schemes:Wiki:UsePkce"] = "false",
            ["Authentication:Schemes:Wiki:SaveTokens"] = "false",
            ["Authentication:Schemes:Wiki:BackchannelTimeout"] = "00:00:12",
            ["Authentication:Schemes:Wiki:RefreshBeforeExpiration"] = "00:10:00",
            ["Authentication:Schemes:Wiki:AccessDeniedPath"] = "/cancelled",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddAuthentication().AddWikimedia("Wiki", o => o.ClientId = "from-code");
        var options = services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<WikimediaAuthenticationOptions>>().Get("Wiki");

        Assert.Equal("from-code", options.ClientId);
        Assert.Equal("secret-from-config", options.ClientSecret);
        Assert.Equal("https://wiki.example.org/rest.php/oauth2/access_token", options.TokenEndpoint);
        Assert.Equal(["basic", "editpage"], options.Scope);
        Assert.Equal("Tool/1 (ops@example.org)", options.UserAgent);
        Assert.Equal("/cb", options.CallbackPath);
        Assert.False(options.UsePkce);
        Assert.False(options.SaveTokens);
        Assert.Equal(TimeSpan.FromSeconds(12), options.BackchannelTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), options.RefreshBeforeExpiration);
        Assert.Equal("/cancelled", options.AccessDeniedPath);
    }

    [Fact]
    public void A_malformed_value_names_its_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Authentication:Schemes:Wikimedia:UsePkce"] = "sometimes",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddAuthentication().AddWikimedia();
        var monitor = services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<WikimediaAuthenticationOptions>>();

        var error = Assert.Throws<InvalidOperationException>(() => monitor.Get("Wikimedia"));
        Assert.Contains("Authentication:Schemes:Wikimedia:UsePkce", error.Message, StringComparison.Ordinal);
    }
}
