# Sourced by test.sh and test/realwiki/build.sh. ensure_apt PACKAGE...: installs the Debian packages that are
# missing (as root, as CI runs), so that a warm machine pays nothing.
# shellcheck shell=bash
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    # "install ok installed" only: a removed package keeps a dpkg entry (deinstall, config-files).
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "== installing ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
