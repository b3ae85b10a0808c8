# Sourced by build.sh, start.sh, stop.sh and smoke.sh: one place for the paths and the fixed identities.
# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file

realwiki_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
realwiki_repo=$(cd "$realwiki_here/../.." && pwd)

# shellcheck source=consumers.env
source "$realwiki_here/consumers.env"

# Which MediaWiki: 1.39 (Debian 12's packages, on this machine) or 1.43 (Debian 13's, in a chroot folder that
# build.sh makes with mmdebstrap). Each has its own folder, port and sources; the users and consumers are the same.
REALWIKI_VERSION=${REALWIKI_VERSION:-1.39}
case "$REALWIKI_VERSION" in
  1.39)
    realwiki_default_dir=$realwiki_repo/.test-output/realwiki
    realwiki_manifest=$realwiki_here/sources.MANIFEST
    ;;
  1.43)
    realwiki_default_dir=$realwiki_repo/.test-output/realwiki143
    realwiki_manifest=$realwiki_here/sources143.MANIFEST
    REALWIKI_DEFAULT_PORT=$REALWIKI_143_DEFAULT_PORT
    ;;
  *)
    echo "realwiki: REALWIKI_VERSION must be 1.39 or 1.43, not '$REALWIKI_VERSION'" >&2
    exit 2
    ;;
esac

# Everything the build makes lives here; .test-output is ignored by git.
REALWIKI_DIR=${REALWIKI_DIR:-$realwiki_default_dir}
mkdir -p "$REALWIKI_DIR"
REALWIKI_DIR=$(cd "$REALWIKI_DIR" && pwd)

# 1.43's PHP runs inside the Debian 13 folder (chroot); the wiki's files live inside it too, and build.sh links
# the folder's own path to / within it, so that every path below means the same file inside and outside.
realwiki_root=
realwiki_base=$REALWIKI_DIR
if [ "$REALWIKI_VERSION" = 1.43 ]; then
  realwiki_root=$REALWIKI_DIR/root
  realwiki_base=$realwiki_root/srv/realwiki
fi

# The web root of `php -S`; the MediaWiki folder is its /w, so URLs look like a standard install.
realwiki_htdocs=$realwiki_base/htdocs
realwiki_w=$realwiki_htdocs/w
# Database, keys and logs: outside the web root so that `php -S` never serves them.
realwiki_data=$realwiki_base/data
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

# The wiki's PHP: the machine's for 1.39, the chroot's for 1.43 (the environment goes along).
realwiki_php_cmd=(php)
[ -n "$realwiki_root" ] && realwiki_php_cmd=(chroot "$realwiki_root" /usr/bin/php)
realwiki_php() { "${realwiki_php_cmd[@]}" "$@"; }
