<?php
// The test wiki's own settings. build.sh copies this file next to LocalSettings.php (as RealWikiSettings.php),
// together with consumers.env (as realwiki-consumers.env), and requires it at the end of LocalSettings.php.
// It runs on every request, so that start.sh can choose the port and the token lifetimes without a rebuild:
// `php -S` hands its own environment to getenv() in every worker.

if ( !defined( 'MEDIAWIKI' ) ) {
	exit( 1 );
}

$realwikiConf = [];
foreach ( file( __DIR__ . '/realwiki-consumers.env', FILE_IGNORE_NEW_LINES ) as $realwikiLine ) {
	if ( preg_match( '/^([A-Z0-9_]+)=(.*)$/', $realwikiLine, $realwikiMatch ) ) {
		$realwikiConf[$realwikiMatch[1]] = $realwikiMatch[2];
	}
}

$realwikiSetting = static function ( string $name, string $default ): string {
	$value = getenv( $name );
	return ( $value === false || $value === '' ) ? $default : $value;
};

// Exactly 127.0.0.1, never localhost: redirects, cookies and the JWT "iss" claim all carry this origin.
$wgServer = 'http://127.0.0.1:' . (int)$realwikiSetting( 'REALWIKI_PORT', $realwikiConf['REALWIKI_DEFAULT_PORT'] );
$wgCanonicalServer = $wgServer;

wfLoadExtension( 'OAuth' );

// The wiki manages its own consumers.
$wgMWOAuthCentralWiki = false;
// Plain http on loopback: no secure cookies, no https redirects, no refusal to hand out secrets over http.
$wgMWOAuthSecureTokenTransfer = false;
$wgCookieSecure = false;
$wgForceHTTPS = false;
$wgSecureLogin = false;

$wgOAuthSecretKey = $realwikiConf['REALWIKI_OAUTH_SECRET_KEY'];
// Files, not strings: league/oauth2-server checks that key files are private (build.sh makes them 0600).
$wgOAuth2PrivateKey = "$wgSQLiteDataDir/oauth2.key";
$wgOAuth2PublicKey = "$wgSQLiteDataDir/oauth2.pub";
$wgOAuth2RequireCodeChallengeForPublicClients = true;
// ISO 8601 durations. The refresh TTL must be set: REL1_39's default is "PT1M" (one minute, a typo).
$wgOAuth2GrantExpirationInterval = $realwikiSetting(
	'REALWIKI_ACCESS_TOKEN_TTL', $realwikiConf['REALWIKI_DEFAULT_ACCESS_TOKEN_TTL'] );
$wgOAuth2RefreshTokenTTL = $realwikiSetting(
	'REALWIKI_REFRESH_TOKEN_TTL', $realwikiConf['REALWIKI_DEFAULT_REFRESH_TOKEN_TTL'] );

foreach ( [
	'mwoauthproposeconsumer', 'mwoauthupdateownconsumer', 'mwoauthmanageconsumer',
	'mwoauthsuppress', 'mwoauthviewsuppressed', 'mwoauthviewprivate',
] as $realwikiRight ) {
	$wgGroupPermissions['sysop'][$realwikiRight] = true;
}

// Consumer registration needs confirmed addresses; they are confirmed by build.sh, and no mail is ever sent.
$wgEnableEmail = true;
$wgEmailAuthentication = true;
$wgEnableUserEmail = false;
$wgEnotifUserTalk = false;
$wgEnotifWatchlist = false;
$wgSMTP = false;

// Tests log in many times, sometimes with wrong passwords, from one address: no login throttling.
$wgPasswordAttemptThrottle = [];
// No background jobs at the end of requests: they would compete for the SQLite lock and blur timings.
$wgJobRunRate = 0;

$wgCacheDirectory = "$wgSQLiteDataDir/cache";
// Exceptions behind the generic error pages (an HTTP 500 from the OAuth endpoints, say) are logged here.
$wgDebugLogGroups['exception'] = "$wgSQLiteDataDir/exception.log";
$wgDebugLogGroups['error'] = "$wgSQLiteDataDir/exception.log";
$wgDebugLogGroups['OAuth'] = "$wgSQLiteDataDir/oauth.log";

// Loopback redirect URIs on any port (REALWIKI_LOOPBACK_ANY_PORT, default 0: off).
//
// REL1_39 hands OAuth 2.0 redirect_uri checks to league/oauth2-server's AbstractGrant::validateRedirectUri,
// a byte-for-byte comparison with the registered callback; callbackIsPrefix and "port 1 means any port" only
// apply to OAuth 1.0a (MWOAuthServer::checkCallback). Later versions accept any port on 127.0.0.1 (RFC 8252),
// but tests run their apps on random ports, so for a loopback redirect_uri on one of our consumers this
// stores that exact URI as the consumer's callback before the extension reads it: the wiki's own check still
// runs, unchanged, against the registered value. Accepted: http://127.0.0.1:<port><path...> where <path...>
// starts with the path of REALWIKI_CALLBACK_URL. Anything else (another host, scheme or path) is left to the
// wiki to refuse.
if ( MW_ENTRY_POINT === 'rest' && $realwikiSetting( 'REALWIKI_LOOPBACK_ANY_PORT', '0' ) === '1' ) {
	$realwikiRoute = $_SERVER['PATH_INFO'] ?? '';
	$realwikiRedirect = null;
	$realwikiClient = null;
	if ( $realwikiRoute === '/oauth2/authorize' ) {
		$realwikiRedirect = $_GET['redirect_uri'] ?? null;
		$realwikiClient = $_GET['client_id'] ?? null;
	} elseif ( $realwikiRoute === '/oauth2/access_token' ) {
		$realwikiRedirect = $_POST['redirect_uri'] ?? null;
		$realwikiClient = $_POST['client_id'] ?? $_SERVER['PHP_AUTH_USER'] ?? null;
	}
	$realwikiClients = [];
	foreach ( $realwikiConf as $realwikiKey => $realwikiValue ) {
		if ( str_ends_with( $realwikiKey, '_CLIENT_ID' ) ) {
			$realwikiClients[] = $realwikiValue;
		}
	}
	$realwikiCallbackPath = parse_url( $realwikiConf['REALWIKI_CALLBACK_URL'], PHP_URL_PATH );
	if ( is_string( $realwikiRedirect ) && in_array( $realwikiClient, $realwikiClients, true )
		&& preg_match( '#^http://127\.0\.0\.1:([1-9][0-9]{0,4})(/.*)$#D', $realwikiRedirect, $realwikiMatch )
		&& (int)$realwikiMatch[1] <= 65535
		&& str_starts_with( $realwikiMatch[2], $realwikiCallbackPath )
	) {
		// Held until this request ends (PHP closes the handle then), so that concurrent flows of one consumer
		// on different ports never see each other's callback between this write and the extension's read.
		$GLOBALS['realwikiCallbackLock'] = fopen( "$wgSQLiteDataDir/callback.lock", 'c' );
		flock( $GLOBALS['realwikiCallbackLock'], LOCK_EX );
		$realwikiDb = new PDO( "sqlite:$wgSQLiteDataDir/$wgDBname.sqlite", null, null, [
			PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
			PDO::ATTR_TIMEOUT => 30,
		] );
		$realwikiDb->prepare(
			'UPDATE oauth_registered_consumer SET oarc_callback_url = ?'
			. ' WHERE oarc_consumer_key = ? AND oarc_callback_url != ?'
		)->execute( [ $realwikiRedirect, $realwikiClient, $realwikiRedirect ] );
		$realwikiDb = null;
	}
}

// --- Editing (issue 15) ---------------------------------------------------------------------------------------
// An edit rate limit for one dedicated user, Carol (setup.php puts her in the group below), so that the rate-limit
// interop test hits it at her second edit at the latest and no other user is ever throttled. MediaWiki 1.39 only
// lets a group's limit loosen the default 'user' limit (90 a minute), never tighten it, but the 'newbie' limit
// replaces it: Carol's group loses the 'autoconfirmed' right, which makes her the wiki's one "newbie" (everyone
// else is autoconfirmed at once, and the "basic" grant keeps that right for OAuth tokens). The limiter counts in
// the stats cache (CACHE_ANYTHING, the database here), so a count survives restarts of php -S.
$wgGroupPermissions[$realwikiConf['REALWIKI_THROTTLED_GROUP']]['edit'] = true;
$wgRevokePermissions[$realwikiConf['REALWIKI_THROTTLED_GROUP']]['autoconfirmed'] = true;
$wgRateLimits['edit']['newbie'] = [ 1, 86400 ];
