using Microsoft.Playwright;

namespace AspNet.Security.OAuth.Wikimedia.BlazorTests;

/// <summary>
/// A circuit that reconnects after its user signed out and another signed in, in the same browser. Blazor gives
/// the reconnected circuit the new connection's user (ComponentHub.ConnectCircuit calls SetCircuitUser); the
/// circuit's Wikimedia session must follow, not keep calling the API with the previous user's token.
/// </summary>
public sealed class CircuitReconnectTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime, IDisposable
{
    private readonly SampleServer _server = new();
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await fixture.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public void Dispose() => _server.Dispose();

    private Task<IPage> NewPageAsync() => SamplePages.NewPageAsync(_context);

    private Task SignInAsync(IPage page, string user) => SamplePages.SignInAsync(page, _server, user);

    private static Task LookUpAsync(IPage page, string title) => SamplePages.LookUpAsync(page, title);

    private string? LastApiAuthorization()
        => _server.Emulator.Requests.LastOrDefault(r => r.Path.Contains("/page/", StringComparison.Ordinal))?.Header("Authorization");

    [Fact]
    public async Task A_circuit_reconnected_after_another_user_signed_in_does_not_call_the_API_with_the_previous_users_token()
    {
        var home = await NewPageAsync();
        await SignInAsync(home, "Example User");
        var circuit = await NewPageAsync();
        await SamplePages.OpenInteractiveAsync(circuit, _server.Url("/article"));
        await LookUpAsync(circuit, "Earth");
        var asExampleUser = LastApiAuthorization();
        Assert.StartsWith("Bearer ", asExampleUser, StringComparison.Ordinal);

        // In another tab: sign out, and Alice signs in.
        await home.GotoAsync(_server.Url("/"));
        await home.ClickAsync("#signout");
        await home.WaitForSelectorAsync("#signin");
        await SignInAsync(home, "Alice Admin");

        // The circuit's connection drops (a network blip) and Blazor reconnects it with the browser's cookie: Alice's.
        await circuit.EvaluateAsync("() => Blazor._internal.forceCloseConnection()");
        await circuit.WaitForFunctionAsync(
            "() => document.querySelector('#circuit-user')?.textContent?.includes('Alice Admin')", null,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Equal("Signed in as Alice Admin (in this interactive circuit)", await circuit.InnerTextAsync("#circuit-user"));

        // Alice looks up a page in the circuit that now says it is hers.
        await LookUpAsync(circuit, "Zürich");

        Assert.Equal("Zürich", await circuit.InnerTextAsync("#article-title"));
        var call = _server.Emulator.Requests.Last(r => r.Path.Contains("/page/", StringComparison.Ordinal));
        Assert.Contains("rich", Uri.UnescapeDataString(call.Path), StringComparison.Ordinal);
        Assert.NotEqual(asExampleUser, call.Header("Authorization"));
    }
}
