namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// An OAuth 2.0 consumer registered with the emulator, as on Special:OAuthConsumerRegistration.
/// </summary>
public sealed class EmulatorClient
{
    /// <summary>Gets or sets the consumer key: 32 lower-case hex characters, as Wikimedia issues them.</summary>
    public required string ClientId { get; set; }

    /// <summary>Gets or sets the consumer secret; null for a public (non-confidential) consumer, which must use PKCE.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Gets or sets the consumer's name, shown on the consent page.</summary>
    public string Name { get; set; } = "Emulated consumer";

    /// <summary>
    /// Gets the registered callback URLs. A <c>redirect_uri</c> must equal one byte for byte, except that the
    /// port of <c>http://127.0.0.1</c> and <c>http://[::1]</c> callbacks is ignored (docs/protocol.md section 2).
    /// </summary>
    public IList<string> RedirectUris { get; } = new List<string>();

    /// <summary>
    /// Gets the grants the consumer registered. An authorization request without scope gets all of them;
    /// a known grant that is not registered is silently dropped.
    /// </summary>
    public IList<string> Grants { get; } = new List<string> { "basic", "mwoauth-authonlyprivate" };

    /// <summary>
    /// Gets or sets the consumer's numeric id, which edits made with its tokens are tagged with (<c>OAuth CID: {n}</c>).
    /// 0 (the default) means its position in <see cref="WikimediaEmulatorOptions.Clients"/>, counting from 1.
    /// </summary>
    public int ConsumerId { get; set; }

    /// <summary>Gets whether the consumer has a secret (is confidential).</summary>
    public bool IsConfidential => !string.IsNullOrEmpty(ClientSecret);
}
