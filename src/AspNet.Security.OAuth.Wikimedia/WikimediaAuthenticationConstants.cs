namespace AspNet.Security.OAuth.Wikimedia;

/// <summary>
/// Constants used by the Wikimedia authentication handler: claim types, endpoint paths and protocol values.
/// </summary>
public static class WikimediaAuthenticationConstants
{
    /// <summary>
    /// Claim types issued from the Wikimedia profile, in addition to the standard
    /// <see cref="System.Security.Claims.ClaimTypes"/> (name identifier, name, email, role).
    /// </summary>
    public static class Claims
    {
        /// <summary>The user's edit count on the wiki that answered the profile request (an integer).</summary>
        public const string EditCount = "urn:wikimedia:editcount";

        /// <summary>When the account was registered, ISO 8601 in UTC (for example <c>2019-03-12T08:45:11Z</c>).</summary>
        public const string Registered = "urn:wikimedia:registered";

        /// <summary>Whether the user is blocked: <c>true</c> or <c>false</c>.</summary>
        public const string Blocked = "urn:wikimedia:blocked";

        /// <summary>Whether the user's e-mail address is confirmed: <c>true</c> or <c>false</c>.</summary>
        public const string ConfirmedEmail = "urn:wikimedia:confirmed_email";

        /// <summary>One user right (for example <c>editmyoptions</c>), cut down by the server to the token's grants.</summary>
        public const string Right = "urn:wikimedia:right";

        /// <summary>One grant the user gave this consumer (for example <c>basic</c>).</summary>
        public const string Grant = "urn:wikimedia:grant";
    }

    /// <summary>
    /// Paths of the OAuth 2.0 endpoints below a wiki's REST root (<see cref="WikimediaAuthenticationOptions.Authority"/>).
    /// </summary>
    public static class Paths
    {
        /// <summary>The authorization endpoint: <c>/oauth2/authorize</c>.</summary>
        public const string Authorize = "/oauth2/authorize";

        /// <summary>The token endpoint: <c>/oauth2/access_token</c>.</summary>
        public const string AccessToken = "/oauth2/access_token";

        /// <summary>The profile endpoint: <c>/oauth2/resource/profile</c>.</summary>
        public const string Profile = "/oauth2/resource/profile";
    }

    /// <summary>
    /// Scope values Wikimedia understands beyond grant names (docs/protocol.md section 2).
    /// </summary>
    public static class Scopes
    {
        /// <summary>Identity only: the profile without the e-mail address.</summary>
        public const string AuthOnly = "mwoauth-authonly";

        /// <summary>Identity and the e-mail address.</summary>
        public const string AuthOnlyPrivate = "mwoauth-authonlyprivate";

        /// <summary>The <c>basic</c> grant, needed for most API calls as the user.</summary>
        public const string Basic = "basic";
    }
}
