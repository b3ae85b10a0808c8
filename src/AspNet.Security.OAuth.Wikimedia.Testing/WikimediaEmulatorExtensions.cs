namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// Points the Wikimedia handler at a <see cref="WikimediaEmulator"/>.
/// </summary>
public static class WikimediaEmulatorExtensions
{
    /// <summary>
    /// Sets <see cref="WikimediaAuthenticationOptions.Authority"/> to the emulator and the client credentials to one of
    /// its registered clients (by default the confidential one).
    /// </summary>
    /// <param name="options">The handler's options.</param>
    /// <param name="emulator">The running emulator.</param>
    /// <param name="clientId">The consumer key of the client to use.</param>
    /// <returns>The options.</returns>
    public static WikimediaAuthenticationOptions UseEmulator(
        this WikimediaAuthenticationOptions options, WikimediaEmulator emulator, string clientId = WikimediaEmulatorOptions.DefaultClientId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(emulator);
        var client = emulator.Client(clientId);
        options.Authority = emulator.Authority;
        options.ClientId = client.ClientId;
        options.ClientSecret = client.ClientSecret ?? "";
        return options;
    }
}
