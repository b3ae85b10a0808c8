# Sourced by build.sh, start.sh, stop.sh and smoke.sh: one place for the paths and the fixed identities.
# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file

realwiki_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
realwiki_repo=$(cd "$realwiki_here/../.." && pwd)

# shellcheck source=consumers.env
source "$realwiki_here/consumers.env"

# Everything the build makes lives here; .test-output is ignored by git.
REALWIKI_DIR=${REALWIKI_DIR:-$realwiki_repo/.test-output/realwiki}
mkdir -p "$REALWIKI_DIR"
REALWIKI_DIR=$(cd "$REALWIKI_DIR" && pwd)

# The web root of `php -S`; the MediaWiki folder is its /w, so URLs look like a standard install.
realwiki_htdocs=$REALWIKI_DIR/htdocs
realwiki_w=$realwiki_htdocs/w
# Database, keys and logs: outside the web root so that `php -S` never serves them.
realwiki_data=$REALWIKI_DIR/data
realwiki_pidfile=$REALWIKI_DIR/server.pid
realwiki_log=$REALWIKI_DIR/server.log
# Written by start.sh: the settings the running server was started with (KEY=VALUE, like consumers.env).
realwiki_serverenv=$REALWIKI_DIR/server.env

realwiki_port=${REALWIKI_PORT:-$REALWIKI_DEFAULT_PORT}

# Prints the PID of our running server, or fails. The PID must still be a `php -S` leading its own group,
# so that a stale file never makes us signal a recycled PID.
realwiki_running_pid() {
  [ -f "$realwiki_pidfile" ] || return 1
  local pid
  pid=$(<"$realwiki_pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- 'php .*-S 127\.0\.0\.1:' || return 1
  [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ] || return 1
  echo "$pid"
}
