#!/usr/bin/env bash
# Starts the test wiki (building it first if needed) on http://127.0.0.1:$REALWIKI_PORT and prints that base URL.
# Settings are read at start time, no rebuild needed: REALWIKI_PORT, REALWIKI_ACCESS_TOKEN_TTL,
# REALWIKI_REFRESH_TOKEN_TTL, REALWIKI_LOOPBACK_ANY_PORT (see README.md). A server that already runs with the
# same settings is kept; one with other settings is restarted.
# shellcheck disable=SC2016  # single-quoted PHP and bash -c code: $ belongs to them
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Test processes may call this at the same time: one starts the server, the others then find it running.
exec 8>"$REALWIKI_DIR/start.lock"
flock 8

"$realwiki_here/build.sh"

access_ttl=${REALWIKI_ACCESS_TOKEN_TTL:-$REALWIKI_DEFAULT_ACCESS_TOKEN_TTL}
refresh_ttl=${REALWIKI_REFRESH_TOKEN_TTL:-$REALWIKI_DEFAULT_REFRESH_TOKEN_TTL}
loopback=${REALWIKI_LOOPBACK_ANY_PORT:-0}
# A malformed value would only show up as an HTTP 500 on the first token request: refuse it here instead.
iso_duration='^P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$'
for ttl in "$access_ttl" "$refresh_ttl"; do
  if [ "$ttl" != infinity ] && { ! [[ "$ttl" =~ $iso_duration ]] || [[ "$ttl" =~ ^PT?$ ]]; }; then
    echo "realwiki: '$ttl' is not an ISO 8601 duration like PT60S, PT1H or P1M" >&2
    exit 2
  fi
done
if ! [[ "$realwiki_port" =~ ^[0-9]+$ ]] || ((realwiki_port < 1 || realwiki_port > 65535)); then
  echo "realwiki: REALWIKI_PORT '$realwiki_port' is not a port" >&2
  exit 2
fi
[[ "$loopback" =~ ^[01]$ ]] || { echo "realwiki: REALWIKI_LOOPBACK_ANY_PORT must be 0 or 1" >&2; exit 2; }

base=http://127.0.0.1:$realwiki_port
settings="REALWIKI_BASE_URL=$base
REALWIKI_PORT=$realwiki_port
REALWIKI_ACCESS_TOKEN_TTL=$access_ttl
REALWIKI_REFRESH_TOKEN_TTL=$refresh_ttl
REALWIKI_LOOPBACK_ANY_PORT=$loopback"

if pid=$(realwiki_running_pid); then
  if [ "$(cat "$realwiki_serverenv" 2>/dev/null)" = "$settings" ]; then
    echo "$base"
    exit 0
  fi
  echo "realwiki: restarting the server ($pid) with other settings" >&2
  "$realwiki_here/stop.sh"
fi

# Something else on the port would answer the readiness probe below and pass for the wiki.
if curl -s -o /dev/null --max-time 2 "$base/"; then
  echo "realwiki: something already listens on 127.0.0.1:$realwiki_port (REALWIKI_PORT picks another port)" >&2
  exit 1
fi

rm -f "$realwiki_pidfile" "$realwiki_serverenv"
: >"$realwiki_log"

# Under faketime (the suite's clock-a-year-ahead run), the chroot's PHP must find the same preloaded library, or it
# would keep the real clock while the tests and the browser run a year ahead.
if [ -n "$realwiki_root" ] && [ -d /usr/lib/x86_64-linux-gnu/faketime ]; then
  mkdir -p "$realwiki_root/usr/lib/x86_64-linux-gnu"
  cp -a /usr/lib/x86_64-linux-gnu/faketime "$realwiki_root/usr/lib/x86_64-linux-gnu/"
fi

# With REALWIKI_LOOPBACK_ANY_PORT=1 each loopback redirect_uri is written into the consumer (settings.php): put
# the registered callback back, so that every start begins from consumers.env whatever ran before.
mapfile -t client_ids < <(sed -n 's/^REALWIKI_[A-Z]*_CLIENT_ID=//p' "$realwiki_here/consumers.env")
realwiki_php -r '$db = new PDO("sqlite:" . $argv[1], null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
  $update = $db->prepare("UPDATE oauth_registered_consumer SET oarc_callback_url = ? WHERE oarc_consumer_key = ?");
  foreach (array_slice($argv, 3) as $id) { $update->execute([$argv[2], $id]); }' -- \
  "$realwiki_data/realwiki.sqlite" "$REALWIKI_CALLBACK_URL" "${client_ids[@]}"
# setsid makes the server lead its own process group, so stop.sh can end it with all its workers. The PID is
# written by the process that then becomes php (exec), so it is right whether or not setsid had to fork. The
# server must not inherit the start lock, or it would hold it for as long as it runs.
# opcache: the CLI SAPI leaves it off, and without it every request recompiles MediaWiki.
(
  cd "$realwiki_htdocs"
  env -u MW_INSTALL_PATH PHP_CLI_SERVER_WORKERS=4 \
    REALWIKI_PORT="$realwiki_port" REALWIKI_ACCESS_TOKEN_TTL="$access_ttl" \
    REALWIKI_REFRESH_TOKEN_TTL="$refresh_ttl" REALWIKI_LOOPBACK_ANY_PORT="$loopback" \
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' realwiki "$realwiki_pidfile" \
    "${realwiki_php_cmd[@]}" -d opcache.enable_cli=1 -d memory_limit=512M -S "127.0.0.1:$realwiki_port" -t "$realwiki_htdocs" \
    </dev/null >>"$realwiki_log" 2>&1 8>&- &
)

# The first request also fills the localisation cache, so allow for a slow one.
deadline=$((SECONDS + 60))
probe=$base/w/rest.php/v1/page/Main_Page/bare
until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$probe")" = 200 ]; do
  alive=0
  [ -f "$realwiki_pidfile" ] && kill -0 "$(cat "$realwiki_pidfile")" 2>/dev/null && alive=1
  if [ "$alive" = 0 ] && [ -f "$realwiki_pidfile" ] || ((SECONDS >= deadline)); then
    echo "realwiki: the server did not come up on $base; last lines of $realwiki_log:" >&2
    tail -n 30 "$realwiki_log" >&2
    "$realwiki_here/stop.sh" >/dev/null 2>&1 || true
    exit 1
  fi
  sleep 0.2
done

echo "$settings" >"$realwiki_serverenv"
echo "$base"
