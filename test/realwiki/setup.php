<?php
// Maintenance script run by build.sh (with MW_INSTALL_PATH set to the wiki): confirms the users' e-mail
// addresses and registers the OAuth 2.0 consumers of consumers.env.
//
// Consumers go through the extension's own ConsumerSubmitControl, with the fields that
// Special:OAuthConsumerRegistration/propose/oauth2 sends and the approval that Special:OAuthManageConsumers
// sends, so that they are stored exactly as a real registration stores them. Only the random consumer key and
// secret key are then replaced by the fixed ones, so that ids and secrets survive rebuilds.

use MediaWiki\Extension\OAuth\Backend\Consumer;
use MediaWiki\Extension\OAuth\Backend\Utils;
use MediaWiki\Extension\OAuth\Control\ConsumerSubmitControl;
use MediaWiki\MediaWikiServices;

require_once getenv( 'MW_INSTALL_PATH' ) . '/maintenance/Maintenance.php';

class RealWikiSetup extends Maintenance {
	/** @var string[] */
	private $conf = [];

	public function __construct() {
		parent::__construct();
		$this->addDescription( 'Confirms user e-mail addresses and registers the fixed OAuth 2.0 consumers' );
		$this->addArg( 'env', 'consumers.env' );
	}

	public function execute() {
		foreach ( file( $this->getArg( 0 ), FILE_IGNORE_NEW_LINES ) as $line ) {
			if ( preg_match( '/^([A-Z0-9_]+)=(.*)$/', $line, $m ) ) {
				$this->conf[$m[1]] = $m[2];
			}
		}

		foreach ( [ 'ADMIN', 'ALICE', 'BOB' ] as $who ) {
			$this->confirmEmail( $this->conf["REALWIKI_{$who}_USER"], $this->conf["REALWIKI_{$who}_EMAIL"] );
		}

		$admin = MediaWikiServices::getInstance()->getUserFactory()
			->newFromName( $this->conf['REALWIKI_ADMIN_USER'] );
		$admin->load( User::READ_LATEST );
		$context = new DerivativeContext( RequestContext::getMain() );
		$context->setUser( $admin );

		$this->register( $context, 'IDENTITY', 'identity only', true, 'authonly', [] );
		$this->register( $context, 'PUBLIC', 'public identity only', false, 'authonly', [] );
		$this->register( $context, 'PRIVATE', 'identity with e-mail', true, 'authonlyprivate', [] );
		$this->register( $context, 'BASIC', 'basic rights', true, 'normal', [ 'basic' ] );
		$this->register( $context, 'EDIT', 'edits as the user', true, 'normal', [ 'basic', 'editpage', 'createeditmovepage' ] );
		$this->setUpEditing( $admin );
	}

	private function confirmEmail( string $name, string $email ) {
		$user = MediaWikiServices::getInstance()->getUserFactory()->newFromName( $name );
		if ( !$user || !$user->isRegistered() ) {
			$this->fatalError( "no user $name" );
		}
		$user->load( User::READ_LATEST );
		$user->setEmail( $email );
		$user->confirmEmail();
		$user->saveSettings();
		$this->output( "confirmed $email for $name\n" );
	}

	private function register(
		IContextSource $context, string $which, string $label, bool $confidential, string $granttype, array $grants
	) {
		$clientId = $this->conf["REALWIKI_{$which}_CLIENT_ID"];
		$secretKey = $this->conf["REALWIKI_{$which}_SECRET_KEY"];
		$clientSecret = $this->conf["REALWIKI_{$which}_CLIENT_SECRET"] ?? null;
		$dbw = Utils::getCentralDB( DB_PRIMARY );

		$control = new ConsumerSubmitControl( $context, [], $dbw );
		$control->setInputParameters( [
			'action' => 'propose',
			'name' => "RealWiki $label",
			'version' => '1.0',
			'description' => "Test consumer ($label) of test/realwiki",
			'ownerOnly' => false,
			'callbackUrl' => $this->conf['REALWIKI_CALLBACK_URL'],
			// What the OAuth 2.0 registration form sends: it has no prefix checkbox.
			'callbackIsPrefix' => false,
			'email' => $context->getUser()->getEmail(),
			'wiki' => '*',
			'oauthVersion' => Consumer::OAUTH_VERSION_2,
			'oauth2IsConfidential' => $confidential,
			'oauth2GrantTypes' => [ 'authorization_code', 'refresh_token' ],
			'granttype' => $granttype,
			'grants' => FormatJson::encode( $grants ),
			'restrictions' => MWRestrictions::newDefault(),
			'rsaKey' => '',
			'agreement' => true,
		] );
		$status = $control->submit();
		if ( !$status->isOK() ) {
			$this->fatalError( "propose $which: " . $status->getWikiText( false, false, 'en' ) );
		}
		$proposed = $status->value['result']['consumer'];

		$dbw->update(
			'oauth_registered_consumer',
			[ 'oarc_consumer_key' => $clientId, 'oarc_secret_key' => $secretKey ],
			[ 'oarc_id' => $proposed->getId() ],
			__METHOD__
		);

		$cmr = Consumer::newFromKey( $dbw, $clientId );
		$control = new ConsumerSubmitControl( $context, [], $dbw );
		$control->setInputParameters( [
			'action' => 'approve',
			'consumerKey' => $clientId,
			'reason' => 'test consumer',
			'changeToken' => $cmr->getChangeToken( $context ),
		] );
		$status = $control->submit();
		if ( !$status->isOK() ) {
			$this->fatalError( "approve $which: " . $status->getWikiText( false, false, 'en' ) );
		}

		$cmr = Consumer::newFromKey( $dbw, $clientId );
		if ( $cmr->getStage() !== Consumer::STAGE_APPROVED ) {
			$this->fatalError( "$which is not approved" );
		}
		// The secret a developer is shown at registration (SpecialMWOAuthConsumerRegistration) is derived so:
		// consumers.env must carry exactly that, or every token request of the tests fails.
		$derived = Utils::hmacDBSecret( $cmr->getSecretKey() );
		if ( $clientSecret !== null && !hash_equals( $derived, $clientSecret ) ) {
			$this->fatalError( "REALWIKI_{$which}_CLIENT_SECRET should be $derived" );
		}
		$this->output( "consumer $which $clientId approved\n" );
	}

	// --- Editing (issue 15) -----------------------------------------------------------------------------------
	// Carol, the one user in the edit-throttled group (its rate limit is in settings.php), and a page only sysops
	// may edit, for the edit interop tests (consumers.env, "Editing").
	private function setUpEditing( User $admin ) {
		$services = MediaWikiServices::getInstance();
		$carol = $services->getUserFactory()->newFromName( $this->conf['REALWIKI_CAROL_USER'] );
		if ( !$carol->isRegistered() ) {
			$status = $services->getAuthManager()->autoCreateUser(
				$carol, MediaWiki\Auth\AuthManager::AUTOCREATE_SOURCE_MAINT, false );
			if ( !$status->isGood() ) {
				$this->fatalError( 'create Carol: ' . $status->getWikiText( false, false, 'en' ) );
			}
		}
		$password = $this->conf['REALWIKI_CAROL_PASSWORD'];
		$status = $carol->changeAuthenticationData( [
			'username' => $carol->getName(), 'password' => $password, 'retype' => $password ] );
		if ( !$status->isGood() ) {
			$this->fatalError( 'password of Carol: ' . $status->getWikiText( false, false, 'en' ) );
		}
		$services->getUserGroupManager()->addUserToGroup( $carol, $this->conf['REALWIKI_THROTTLED_GROUP'] );
		$this->confirmEmail( $carol->getName(), $this->conf['REALWIKI_CAROL_EMAIL'] );

		$title = Title::newFromText( $this->conf['REALWIKI_PROTECTED_PAGE'] );
		$page = $services->getWikiPageFactory()->newFromTitle( $title );
		$updater = $page->newPageUpdater( $admin );
		$updater->setContent( MediaWiki\Revision\SlotRecord::MAIN, new WikitextContent( 'Only sysops may edit this page.' ) );
		$updater->saveRevision( CommentStoreComment::newUnsavedComment( 'test page' ) );
		$cascade = false;
		$status = $page->doUpdateRestrictions(
			[ 'edit' => 'sysop', 'move' => 'sysop' ], [ 'edit' => 'infinity', 'move' => 'infinity' ],
			$cascade, 'test protection', $admin );
		if ( !$status->isOK() ) {
			$this->fatalError( 'protect: ' . $status->getWikiText( false, false, 'en' ) );
		}
		$this->output( "Carol throttled, {$title->getPrefixedText()} protected\n" );
	}
}

$maintClass = RealWikiSetup::class;
require_once RUN_MAINTENANCE_IF_MAIN;
