#!/usr/bin/env bash
# End-to-end check of the test wiki with curl, as a browser and an app would use it: log in through
# Special:UserLogin, authorize (PKCE S256), consent form, code exchange, profile, refresh (and the refusal of the
# used refresh token), the wiki's REST API with a "basic" token, a public consumer, and the odd cases that the
# tests rely on (Cancel, scopes that leave nothing, other loopback ports). Prints "ok"/"FAIL" per check and
# "note" lines with what the server answered; exits non-zero when a check fails.
# Uses the running server (start.sh); when none runs, starts one and stops it at the end.
# shellcheck disable=SC2016  # single-quoted PHP code: $ belongs to PHP
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

tmp=$(mktemp -d)
started_here=0
cleanup() {
  rm -rf "$tmp"
  if [ "$started_here" = 1 ]; then "$realwiki_here/stop.sh"; fi
}
trap cleanup EXIT

if ! realwiki_running_pid >/dev/null; then
  "$realwiki_here/start.sh" >/dev/null
  started_here=1
fi
# shellcheck source=/dev/null  # written by start.sh
source "$realwiki_serverenv"
base=$REALWIKI_BASE_URL
oauth=$base/w/rest.php/oauth2
callback=$REALWIKI_CALLBACK_URL
# The doc on Wikimedia's policy asks every client for a descriptive agent; the wiki itself does not check.
ua="RealWikiSmoke/1.0 (test/realwiki/smoke.sh) curl"

failures=0
ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
note() { echo "note - $*"; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

# req NAME CURL-ARGS...: response headers and body land in $tmp/NAME.h and $tmp/NAME.b; $status is the code.
req() {
  local name=$1
  shift
  status=$(curl -s -A "$ua" -o "$tmp/$name.b" -D "$tmp/$name.h" -w '%{http_code}' "$@") || status=000
}
location() { sed -n 's/^[Ll]ocation: *//p' "$tmp/$1.h" | tr -d '\r' | tail -n 1; }
body() { cat "$tmp/$1.b"; }
# json NAME KEY: a top-level member of a JSON body, scalars raw, everything else as JSON.
json() {
  php -r '$v = json_decode(file_get_contents($argv[1]), true)[$argv[2]] ?? null;
    echo is_scalar($v) ? (is_bool($v) ? json_encode($v) : $v) : json_encode($v);' -- "$tmp/$1.b" "$2"
}
# jwt_claim TOKEN CLAIM: a claim of a JWT's payload, as JSON.
jwt_claim() {
  php -r '$p = json_decode(base64_decode(strtr(explode(".", $argv[1])[1], "-_", "+/")), true);
    echo json_encode($p[$argv[2]] ?? null, JSON_UNESCAPED_SLASHES);' -- "$1" "$2"
}
query_param() { php -r 'parse_str((string)parse_url($argv[1], PHP_URL_QUERY), $q); echo $q[$argv[2]] ?? "";' -- "$1" "$2"; }
has_query_param() { php -r 'parse_str((string)parse_url($argv[1], PHP_URL_QUERY), $q); exit(isset($q[$argv[2]]) ? 0 : 1);' -- "$1" "$2"; }
pkce_verifier() { php -r 'echo rtrim(strtr(base64_encode(random_bytes(48)), "+/", "-_"), "=");'; }
pkce_challenge() { php -r 'echo rtrim(strtr(base64_encode(hash("sha256", $argv[1], true)), "+/", "-_"), "=");' -- "$1"; }
ttl_seconds() { php -r '$d = new DateInterval($argv[1]); echo (new DateTime("@0"))->add($d)->getTimestamp();' -- "$1"; }
page_title() { php -r 'preg_match("#<title>([^<]*)#", file_get_contents($argv[1]), $m);
  echo html_entity_decode($m[1] ?? "");' -- "$tmp/$1.b"; }
first_line() { head -c 300 "$tmp/$1.b" | tr '\n' ' '; }

login() { # login JAR USER PASSWORD
  local jar=$1 form action data
  req loginform -c "$jar" -b "$jar" "$base/w/index.php?title=Special:UserLogin"
  form=$(php "$realwiki_here/smoke-form.php" userlogin wploginattempt "wpName=$2" "wpPassword=$3" <"$tmp/loginform.b")
  action=$(sed -n 1p <<<"$form")
  data=$(sed -n 2p <<<"$form")
  req login -c "$jar" -b "$jar" --data "$data" "$base$action"
  [ "$status" = 302 ] && grep -q "UserName[[:space:]]$2\$" "$jar"
}

# authorize JAR CLIENT REDIRECT STATE CHALLENGE [SCOPE] [BUTTON]: the browser's part. Follows the wiki's
# redirects (authorize -> Special:OAuth/approve -> authorize?approval_pass=1 -> app) and submits the consent form
# with BUTTON (accept or cancel) when the wiki shows it. Stops at the first redirect that leaves the wiki, or at
# a page that is neither a redirect nor the consent form. When auth_login is USER:PASSWORD and the wiki sends
# the browser to its login form, logs in there (once). Sets auth_status, auth_location (that redirect, or
# empty), auth_consent (1 when the consent form was shown), auth_logged_in (1 when it logged in) and auth_page
# (the name of the last response).
authorize() {
  local jar=$1 client=$2 redirect=$3 state=$4 challenge=$5 scope=${6:-} button=${7:-accept} form action data hop
  local args=(--data-urlencode response_type=code --data-urlencode "client_id=$client"
    --data-urlencode "redirect_uri=$redirect" --data-urlencode "state=$state")
  [ -z "$challenge" ] || args+=(--data-urlencode "code_challenge=$challenge" --data-urlencode code_challenge_method=S256)
  [ -z "$scope" ] || args+=(--data-urlencode "scope=$scope")
  auth_consent=0
  auth_logged_in=0
  auth_page=authorize
  req "$auth_page" -c "$jar" -b "$jar" -G "${args[@]}" "$oauth/authorize"
  for hop in 1 2 3 4 5 6 7 8 9; do
    auth_status=$status
    auth_location=$(location "$auth_page")
    if [[ "$status" =~ ^30[1237]$ ]] && [[ "$auth_location" == "$base/"* ]]; then
      auth_page=hop$hop
      req "$auth_page" -c "$jar" -b "$jar" "$auth_location"
    elif [ "$status" = 200 ] && [ "$auth_consent" = 0 ] && grep -q "id='mw-mwoauth-authorize-form'" "$tmp/$auth_page.b"; then
      auth_consent=1
      form=$(php "$realwiki_here/smoke-form.php" mw-mwoauth-authorize-form "$button" <"$tmp/$auth_page.b") || return 1
      action=$(sed -n 1p <<<"$form")
      data=$(sed -n 2p <<<"$form")
      auth_page=decision
      req "$auth_page" -c "$jar" -b "$jar" --data "$data" "$base$action"
    elif [ "$status" = 200 ] && [ -n "${auth_login:-}" ] && grep -q 'name="userlogin"' "$tmp/$auth_page.b"; then
      auth_logged_in=1
      form=$(php "$realwiki_here/smoke-form.php" userlogin wploginattempt \
        "wpName=${auth_login%%:*}" "wpPassword=${auth_login#*:}" <"$tmp/$auth_page.b") || return 1
      auth_login=
      action=$(sed -n 1p <<<"$form")
      data=$(sed -n 2p <<<"$form")
      auth_page=login
      req "$auth_page" -c "$jar" -b "$jar" --data "$data" "$base$action"
    else
      return 0
    fi
  done
  echo "too many redirects" >&2
  return 1
}

# code_flow JAR CLIENT REDIRECT [SCOPE]: authorize with PKCE, allow, and expect the code at the callback.
# Sets code, verifier, auth_consent.
code_flow() {
  local jar=$1 client=$2 redirect=$3 scope=${4:-} state
  state=$(php -r 'echo bin2hex(random_bytes(8));')
  verifier=$(pkce_verifier)
  code=
  authorize "$jar" "$client" "$redirect" "$state" "$(pkce_challenge "$verifier")" "$scope"
  if [ "$auth_status" = 302 ] && [[ "$auth_location" == "$redirect?"* ]] \
    && [ "$(query_param "$auth_location" state)" = "$state" ]; then
    code=$(query_param "$auth_location" code)
  fi
  [ -n "$code" ] || {
    note "authorize ended with $auth_status ${auth_location:-(no redirect)} on \"$(page_title "$auth_page")\" ($auth_page)"
    return 1
  }
}

token() { req "$1" -X POST "${@:2}" "$oauth/access_token"; }

expected_expires=$(ttl_seconds "$REALWIKI_ACCESS_TOKEN_TTL")
good_token_response() { # NAME
  local expires
  expires=$(json "$1" expires_in)
  [ "$status" = 200 ] && [ "$(json "$1" token_type)" = Bearer ] && [ -n "$(json "$1" access_token)" ] \
    && [ -n "$(json "$1" refresh_token)" ] && [[ "$expires" =~ ^[0-9]+$ ]] \
    && ((expires >= expected_expires - 2 && expires <= expected_expires))
}
no_store_json() { # NAME
  grep -qi '^cache-control: no-store' "$tmp/$1.h" && grep -qi '^content-type: application/json' "$tmp/$1.h"
}

echo "# wiki $base, access token TTL $REALWIKI_ACCESS_TOKEN_TTL, refresh token TTL $REALWIKI_REFRESH_TOKEN_TTL"

alice=$tmp/alice.jar

echo "# a) confidential identity-only consumer"
id=$REALWIKI_IDENTITY_CLIENT_ID
secret=$REALWIKI_IDENTITY_CLIENT_SECRET
req anonymous -G --data-urlencode response_type=code --data-urlencode "client_id=$id" \
  --data-urlencode "redirect_uri=$callback" --data-urlencode state=s "$oauth/authorize"
check "authorize without a session -> 307 to Special:UserLogin" \
  [ "$status" = 307 -a -n "$(location anonymous | grep -F "$base/w/index.php?title=Special:UserLogin&")" ]
auth_login="$REALWIKI_ALICE_USER:$REALWIKI_ALICE_PASSWORD"
check "authorize -> Special:UserLogin (Alice logs in) -> back to authorize -> consent (if asked) -> code and state at $callback" \
  code_flow "$alice" "$id" "$callback"
check "... the login form was on the way" [ "$auth_logged_in" = 1 ]
# Only a fresh wiki shows it: Alice's approval of an identity-only consumer is remembered.
if [ "$auth_consent" = 1 ]; then note "the consent form was shown"; else note "no consent form: Alice approved before"; fi
token t1 --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$callback" --data-urlencode "code_verifier=$verifier" \
  --data-urlencode "client_id=$id" --data-urlencode "client_secret=$secret"
check "code exchange with client_secret_post (the HMAC secret of consumers.env) -> 200 Bearer, expires_in $expected_expires" \
  good_token_response t1
check "token response: Cache-Control no-store, JSON" no_store_json t1
access1=$(json t1 access_token)
refresh1=$(json t1 refresh_token)
note "JWT iss $(jwt_claim "$access1" iss), sub $(jwt_claim "$access1" sub), scopes $(jwt_claim "$access1" scopes)"
check "JWT iss is the wiki's origin" [ "$(jwt_claim "$access1" iss)" = "\"$base\"" ]

token t1reuse --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$callback" --data-urlencode "code_verifier=$verifier" \
  --data-urlencode "client_id=$id" --data-urlencode "client_secret=$secret"
note "reused code: $status $(first_line t1reuse)"
check "a reused code is refused" [ "$status" -ge 400 ]

req p1 -H "Authorization: Bearer $access1" "$oauth/resource/profile"
check "profile -> 200, username Alice, confirmed e-mail, grants [mwoauth-authonly]" \
  [ "$status:$(json p1 username):$(json p1 confirmed_email):$(json p1 grants)" = '200:Alice:true:["mwoauth-authonly"]' ]
note "profile Content-Type: $(sed -n 's/^[Cc]ontent-[Tt]ype: *//p' "$tmp/p1.h" | tr -d '\r'); body: $(body p1)"

token r1 --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$refresh1" \
  --data-urlencode "client_id=$id" --data-urlencode "client_secret=$secret"
check "refresh -> 200 with a new access token and a new refresh token" good_token_response r1
access2=$(json r1 access_token)
refresh2=$(json r1 refresh_token)
check "the refresh token rotated" [ "$refresh2" != "$refresh1" ]

token r1again --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$refresh1" \
  --data-urlencode "client_id=$id" --data-urlencode "client_secret=$secret"
note "used refresh token again: $status $(body r1again)"
check "the used refresh token is refused: 401 invalid_request (REL1_39)" \
  [ "$status:$(json r1again error)" = 401:invalid_request ]

req p1old -H "Authorization: Bearer $access1" "$oauth/resource/profile"
note "access token from before the refresh: $status $(first_line p1old)"
check "the access token from before the refresh is revoked" [ "$status" -ge 400 ]
req p2 -H "Authorization: Bearer $access2" "$oauth/resource/profile"
check "the new access token reads the profile" [ "$status:$(json p2 username)" = 200:Alice ]

# Identity-only consumers that the user approved before skip the consent form.
check "second authorization of the identity-only consumer" code_flow "$alice" "$id" "$callback"
check "... skips the consent form" [ "$auth_consent" = 0 ]
token t1basic -u "$id:$secret" --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$callback" --data-urlencode "code_verifier=$verifier"
check "code exchange with HTTP Basic client authentication -> 200" good_token_response t1basic

token wrongsecret --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$(json t1basic refresh_token)" \
  --data-urlencode "client_id=$id" --data-urlencode "client_secret=0000$secret"
note "wrong client secret: $status $(body wrongsecret)"
check "a wrong client secret -> 401 invalid_client" [ "$status:$(json wrongsecret error)" = 401:invalid_client ]

echo "# d) confidential consumer with the basic grant"
id=$REALWIKI_BASIC_CLIENT_ID
secret=$REALWIKI_BASIC_CLIENT_SECRET
check "authorize -> consent -> Allow -> code" code_flow "$alice" "$id" "$callback"
token t4 --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$callback" --data-urlencode "code_verifier=$verifier" \
  --data-urlencode "client_id=$id" --data-urlencode "client_secret=$secret"
check "code exchange -> 200" good_token_response t4
access4=$(json t4 access_token)
req p4 -H "Authorization: Bearer $access4" "$oauth/resource/profile"
check "profile -> 200 with grants [basic] and some rights" \
  [ "$status:$(json p4 grants)" = '200:["basic"]' -a "$(json p4 rights)" != '[]' ]
note "basic profile rights: $(json p4 rights)"
req page -H "Authorization: Bearer $access4" "$base/w/rest.php/v1/page/Main_Page/bare"
check "GET /w/rest.php/v1/page/Main_Page/bare with the token -> 200" [ "$status:$(json page key)" = 200:Main_Page ]
req search -H "Authorization: Bearer $access4" "$base/w/rest.php/v1/search/page?q=main&limit=5"
check "GET /w/rest.php/v1/search/page with the token -> 200" [ "$status" = 200 ]
check "the basic consumer asks for consent again" code_flow "$alice" "$id" "$callback"
check "... (it did)" [ "$auth_consent" = 1 ]
token r4 --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$(json t4 refresh_token)" \
  --data-urlencode "client_id=$id" --data-urlencode "client_secret=$secret"
check "refresh -> 200" good_token_response r4
req page2 -H "Authorization: Bearer $(json r4 access_token)" "$base/w/rest.php/v1/page/Main_Page/bare"
check "the refreshed token calls the REST API -> 200" [ "$status" = 200 ]

authorize "$alice" "$id" "$callback" "cancel-state" "" "" cancel
note "Cancel on the consent form: $auth_status $auth_location"
check "Cancel -> 302 to the callback with error=unauthorized_client" \
  [ "$auth_status:$(query_param "$auth_location" error)" = 302:unauthorized_client ]
if has_query_param "$auth_location" state; then st=present; else st=absent; fi
check "... and without state (REL1_39)" [ "$st" = absent ]

echo "# b) public consumer"
id=$REALWIKI_PUBLIC_CLIENT_ID
check "authorize with PKCE -> code" code_flow "$alice" "$id" "$callback"
token t2 --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$callback" --data-urlencode "code_verifier=$verifier" --data-urlencode "client_id=$id"
check "code exchange with the verifier and no secret -> 200" good_token_response t2
req p2pub -H "Authorization: Bearer $(json t2 access_token)" "$oauth/resource/profile"
check "profile -> 200" [ "$status:$(json p2pub username)" = 200:Alice ]
token r2 --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$(json t2 refresh_token)" \
  --data-urlencode "client_id=$id"
note "public consumer refresh: $status $(body r2)"
check "refresh by the public consumer -> 401 invalid_client (REL1_39)" [ "$status:$(json r2 error)" = 401:invalid_client ]
authorize "$alice" "$id" "$callback" "nopkce" ""
note "public consumer without PKCE: $auth_status, $(page_title "$auth_page")"
check "authorize without PKCE for the public consumer ends on an error page of the wiki" \
  [ -z "$auth_location" -a "$(page_title "$auth_page")" = "Application Connection Error - RealWiki" ]

echo "# c) confidential identity + e-mail consumer"
id=$REALWIKI_PRIVATE_CLIENT_ID
secret=$REALWIKI_PRIVATE_CLIENT_SECRET
check "authorize -> code" code_flow "$alice" "$id" "$callback"
token t3 --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$callback" --data-urlencode "code_verifier=$verifier" \
  --data-urlencode "client_id=$id" --data-urlencode "client_secret=$secret"
check "code exchange -> 200" good_token_response t3
req p3 -H "Authorization: Bearer $(json t3 access_token)" "$oauth/resource/profile"
check "profile carries the e-mail address" [ "$status:$(json p3 email)" = "200:$REALWIKI_ALICE_EMAIL" ]
note "private profile: $(body p3)"

echo "# scope that leaves nothing: scope=basic on the identity-only consumer"
id=$REALWIKI_IDENTITY_CLIENT_ID
secret=$REALWIKI_IDENTITY_CLIENT_SECRET
check "authorize with scope=basic -> code" code_flow "$alice" "$id" "$callback" basic
token t5 --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$callback" --data-urlencode "code_verifier=$verifier" \
  --data-urlencode "client_id=$id" --data-urlencode "client_secret=$secret"
check "code exchange -> 200" good_token_response t5
note "its JWT scopes: $(jwt_claim "$(json t5 access_token)" scopes)"
req p5 -H "Authorization: Bearer $(json t5 access_token)" "$oauth/resource/profile"
note "profile with that token: $status $(sed -n 's/^[Cc]ontent-[Tt]ype: *//p' "$tmp/p5.h" | tr -d '\r') $(first_line p5)"
check "... the profile answers 500 (REL1_39)" [ "$status" = 500 ]

echo "# redirect_uri matching"
other_port_callback="http://127.0.0.1:47613$(php -r 'echo parse_url($argv[1], PHP_URL_PATH);' -- "$callback")"
other_path_callback="$other_port_callback-2"
if [ "$REALWIKI_LOOPBACK_ANY_PORT" = 1 ]; then
  check "another port ($other_port_callback) is accepted" code_flow "$alice" "$id" "$other_port_callback"
  token t6 --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
    --data-urlencode "redirect_uri=$other_port_callback" --data-urlencode "code_verifier=$verifier" \
    --data-urlencode "client_id=$id" --data-urlencode "client_secret=$secret"
  check "... and its code exchange -> 200" good_token_response t6
  check "a longer path ($other_path_callback) is accepted" code_flow "$alice" "$id" "$other_path_callback"
else
  authorize "$alice" "$id" "$other_port_callback" s ""
  note "REALWIKI_LOOPBACK_ANY_PORT=0, another port: $auth_status, $(page_title "$auth_page")"
  check "another port is refused: an error page of the wiki, no redirect (exact match)" \
    [ -z "$auth_location" -a "$(page_title "$auth_page")" = "Application Connection Error - RealWiki" ]
fi
for wrong in "http://localhost:5555/signin-wikimedia" "http://127.0.0.1:5555/other" "https://127.0.0.1:5555/signin-wikimedia"; do
  authorize "$alice" "$id" "$wrong" s ""
  note "redirect_uri $wrong: $auth_status, $(page_title "$auth_page")"
  check "redirect_uri $wrong is refused: an error page of the wiki, no redirect" \
    [ -z "$auth_location" -a "$(page_title "$auth_page")" = "Application Connection Error - RealWiki" ]
done

echo "# Bob"
bob=$tmp/bob.jar
check "Bob logs in" login "$bob" "$REALWIKI_BOB_USER" "$REALWIKI_BOB_PASSWORD"
check "Bob authorizes the identity-only consumer" code_flow "$bob" "$REALWIKI_IDENTITY_CLIENT_ID" "$callback"
token t7 --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$callback" --data-urlencode "code_verifier=$verifier" \
  --data-urlencode "client_id=$REALWIKI_IDENTITY_CLIENT_ID" --data-urlencode "client_secret=$REALWIKI_IDENTITY_CLIENT_SECRET"
req p7 -H "Authorization: Bearer $(json t7 access_token)" "$oauth/resource/profile"
check "... and the profile says Bob" [ "$status:$(json p7 username)" = 200:Bob ]

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
