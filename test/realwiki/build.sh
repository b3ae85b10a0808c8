#!/usr/bin/env bash
# Builds a genuine MediaWiki with Extension:OAuth into $REALWIKI_DIR: 1.39 (Debian 12's package, this machine's)
# with REL1_39, or with REALWIKI_VERSION=1.43, 1.43 (Debian 13's package, in a chroot folder made by mmdebstrap)
# with REL1_43. SQLite database, the users and OAuth 2.0 consumers of consumers.env. Does nothing when the build
# stamp matches.
# Usage: [REALWIKI_VERSION=1.43] test/realwiki/build.sh [--force]      See README.md in this folder.
# shellcheck disable=SC2016  # single-quoted PHP code: $ belongs to PHP
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

force=0
[ "${1:-}" = "--force" ] && force=1

packages=(mediawiki php-cli php-sqlite3 php-mbstring php-xml php-intl php-curl php-gmp php-bcmath)

# shellcheck source=../scripts/ensure-apt.sh
source "$realwiki_here/../scripts/ensure-apt.sh"
if [ -z "$realwiki_root" ]; then
  ensure_apt "${packages[@]}" openssl curl
else
  # The machine's PHP still reads the sources' composer.json files and writes the autoloader.
  ensure_apt mmdebstrap php-cli openssl curl
fi

# 1.43: Debian 13 "trixie" with the same packages, in a folder of its own (about 600 MB, two minutes from the
# mirror). Kept across rebuilds of the wiki: only a missing or incomplete folder is made again.
if [ -n "$realwiki_root" ] && [ ! -f "$realwiki_root/.realwiki-complete" ]; then
  echo "realwiki: making the Debian 13 folder $realwiki_root (mmdebstrap)" >&2
  rm -rf "$realwiki_root"
  include=$(IFS=,; echo "${packages[*]}")
  # Never under faketime's preloaded library (the suite's clock-a-year-ahead run): apt then fails inside mmdebstrap
  # ("Bad fd number"), and the archive's signatures are checked against the real date anyway.
  env -u LD_PRELOAD -u FAKETIME mmdebstrap --variant=apt --include="$include" trixie "$realwiki_root" http://deb.debian.org/debian \
    >"$REALWIKI_DIR/mmdebstrap.log" 2>&1 || {
    echo "realwiki: mmdebstrap failed; last lines of $REALWIKI_DIR/mmdebstrap.log:" >&2
    tail -n 20 "$REALWIKI_DIR/mmdebstrap.log" >&2
    exit 1
  }
  touch "$realwiki_root/.realwiki-complete"
fi

# The stamp names everything the build depends on: these files, the Debian packages and the folder itself
# (LocalSettings.php holds absolute paths). Editing a build input therefore rebuilds; start/stop/smoke do not.
stamp_file=$REALWIKI_DIR/build.stamp
stamp=$(
  cd "$realwiki_here"
  cat build.sh common.sh settings.php setup.php consumers.env "$realwiki_manifest"
  if [ -n "$realwiki_root" ]; then
    chroot "$realwiki_root" dpkg-query -W -f='${Package} ${Version}\n' mediawiki php-cli php-sqlite3
  else
    dpkg-query -W -f='${Package} ${Version}\n' mediawiki php-cli php-sqlite3
  fi
  echo "$REALWIKI_VERSION $REALWIKI_DIR"
)
stamp=$(sha256sum <<<"$stamp" | cut -d' ' -f1)
if [ "$force" = 0 ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi

# Two test runs may start the wiki at once: one builds, the other waits for it and then finds the stamp.
exec 9>"$REALWIKI_DIR/build.lock"
flock 9
if [ "$force" = 0 ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi

started=$SECONDS
if pid=$(realwiki_running_pid); then
  echo "realwiki: stopping the running server ($pid): its wiki is rebuilt" >&2
  "$realwiki_here/stop.sh"
fi
rm -f "$stamp_file"

# Sources: an explicit cache, the shared cache beside the repository, or else the upstream repositories.
manifest=$realwiki_manifest
sources=${REALWIKI_SOURCES:-}
if [ -z "$sources" ] && [ -d "$realwiki_repo/../shared/realwiki/sources" ]; then
  sources=$(cd "$realwiki_repo/../shared/realwiki/sources" && pwd)
fi
if [ -z "$sources" ]; then
  # The same trees as the cache: `git archive` of the named commit, with no top-level folder. Kept outside the
  # parts that a rebuild wipes, so that the repositories are cloned once.
  sources=$REALWIKI_DIR/sources
  mkdir -p "$sources"
  ensure_apt git ca-certificates
  while read -r name repo commit; do
    [ -n "$name" ] || continue
    [ -f "$sources/$name.tar.gz" ] && continue
    echo "realwiki: cloning $repo at $commit" >&2
    clone=$(mktemp -d)
    git clone --quiet --no-checkout "https://$repo.git" "$clone"
    # A commit that no branch or tag of the clone reaches (an old fork commit) can still be fetched by id.
    git -C "$clone" cat-file -e "$commit^{commit}" 2>/dev/null || git -C "$clone" fetch --quiet origin "$commit"
    git -C "$clone" archive --format=tar.gz -o "$sources/$name.tar.gz.part" "$commit"
    mv "$sources/$name.tar.gz.part" "$sources/$name.tar.gz"
    rm -rf "$clone"
  done <"$manifest"
fi
while read -r name _; do
  [ -n "$name" ] || continue
  [ -f "$sources/$name.tar.gz" ] || { echo "realwiki: $sources/$name.tar.gz is missing" >&2; exit 1; }
done <"$manifest"

echo "realwiki: building MediaWiki $REALWIKI_VERSION into $REALWIKI_DIR" >&2
rm -rf "$realwiki_htdocs" "$realwiki_data"
mkdir -p "$realwiki_w" "$realwiki_data/cache"
if [ -n "$realwiki_root" ]; then
  # Inside the chroot, the chroot's own path leads back to its root: the paths of this script are then valid there.
  mkdir -p "$realwiki_root$(dirname "$realwiki_root")"
  ln -sfn / "$realwiki_root$realwiki_root"
fi

# Debian's tree links LocalSettings.php, config, extensions and images into /etc and /var/lib: those become
# real, private folders; extensions-core (Debian's bundled extensions, unused) is left out.
for entry in "$realwiki_root"/usr/share/mediawiki/* "$realwiki_root"/usr/share/mediawiki/.[!.]*; do
  [ -e "$entry" ] || continue
  [ -L "$entry" ] && continue
  [ "$(basename "$entry")" = extensions-core ] && continue
  cp -a "$entry" "$realwiki_w/"
done
mkdir -p "$realwiki_w/extensions" "$realwiki_w/images" "$realwiki_w/config"

# The extension, then its dependencies under its own vendor/, where extension.json's load_composer_autoloader
# looks for vendor/autoload.php. psr/http-message and guzzlehttp/psr7 come from core's vendor/.
oauth=$realwiki_w/extensions/OAuth
while read -r name _; do
  [ -n "$name" ] || continue
  unpack=$(mktemp -d)
  tar -xzf "$sources/$name.tar.gz" -C "$unpack"
  package=$(php -r 'echo json_decode(file_get_contents($argv[1]), true)["name"];' -- "$unpack/composer.json")
  if [ "$package" = mediawiki/oauth ]; then
    mkdir -p "$oauth"
    cp -a "$unpack/." "$oauth/"
  else
    mkdir -p "$oauth/vendor/$package"
    cp -a "$unpack/." "$oauth/vendor/$package/"
  fi
  rm -rf "$unpack"
done <"$manifest"
[ -f "$oauth/extension.json" ] || { echo "realwiki: no mediawiki/oauth archive in $manifest" >&2; exit 1; }

# Composer is not needed: the packages only declare PSR-4 roots (defuse's paragonie/random_compat, a no-op on
# PHP 7+, is left out), so a generated map of those roots is the whole autoloader.
php -- "$oauth/vendor" >"$oauth/vendor/autoload.php" <<'PHP'
<?php
$map = [];
foreach (glob($argv[1] . '/*/*/composer.json') as $file) {
    $composer = json_decode(file_get_contents($file), true);
    $package = basename(dirname(dirname($file))) . '/' . basename(dirname($file));
    if (!empty($composer['autoload']['files']) || !empty($composer['autoload']['classmap'])) {
        fwrite(STDERR, "$package needs files/classmap autoloading, which this loader lacks\n");
        exit(1);
    }
    foreach ($composer['autoload']['psr-4'] ?? [] as $prefix => $dir) {
        $map[$prefix] = $package . '/' . trim($dir, '/');
    }
}
krsort($map);
echo "<?php\n// Generated by test/realwiki/build.sh: PSR-4 roots of the packages in this folder.\n";
echo '$realwikiPsr4 = ' . var_export($map, true) . ";\n";
echo <<<'LOADER'
spl_autoload_register(static function (string $class) use ($realwikiPsr4): void {
    foreach ($realwikiPsr4 as $prefix => $dir) {
        if (strncmp($class, $prefix, strlen($prefix)) === 0) {
            $file = __DIR__ . '/' . $dir . '/' . strtr(substr($class, strlen($prefix)), '\\', '/') . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});

LOADER;
PHP

# MW_INSTALL_PATH decides which MediaWiki a script belongs to: never inherit a stray one.
export MW_INSTALL_PATH=$realwiki_w
run_php() { realwiki_php -d memory_limit=512M "$@" >>"$realwiki_data/build.log" 2>&1 || {
  echo "realwiki: failed: php $*" >&2; tail -n 30 "$realwiki_data/build.log" >&2; exit 1; }; }

run_php "$realwiki_w/maintenance/install.php" --dbtype=sqlite --dbname=realwiki --dbpath="$realwiki_data" \
  --server="http://127.0.0.1:$REALWIKI_DEFAULT_PORT" --scriptpath=/w --lang=en --skins=Vector \
  --pass="$REALWIKI_ADMIN_PASSWORD" "RealWiki" "$REALWIKI_ADMIN_USER"

cp "$realwiki_here/settings.php" "$realwiki_w/RealWikiSettings.php"
cp "$realwiki_here/consumers.env" "$realwiki_w/realwiki-consumers.env"
# settings.php's default port is this wiki's.
echo "REALWIKI_DEFAULT_PORT=$REALWIKI_DEFAULT_PORT" >>"$realwiki_w/realwiki-consumers.env"
cat >>"$realwiki_w/LocalSettings.php" <<'EOF'

# test/realwiki: port, token lifetimes, OAuth and the rest (copied from test/realwiki/settings.php).
require_once __DIR__ . '/RealWikiSettings.php';
EOF

openssl genrsa -out "$realwiki_data/oauth2.key" 2048 2>/dev/null
openssl rsa -in "$realwiki_data/oauth2.key" -pubout -out "$realwiki_data/oauth2.pub" 2>/dev/null
chmod 600 "$realwiki_data/oauth2.key" "$realwiki_data/oauth2.pub"

run_php "$realwiki_w/maintenance/update.php" --quick
run_php "$realwiki_w/maintenance/createAndPromote.php" "$REALWIKI_ALICE_USER" "$REALWIKI_ALICE_PASSWORD"
run_php "$realwiki_w/maintenance/createAndPromote.php" "$REALWIKI_BOB_USER" "$REALWIKI_BOB_PASSWORD"
# Copied beside the data, where the chroot's PHP sees them too.
cp "$realwiki_here/setup.php" "$realwiki_here/consumers.env" "$realwiki_data/"
run_php "$realwiki_data/setup.php" "$realwiki_data/consumers.env"

echo "$stamp" >"$stamp_file"
echo "realwiki: built in $((SECONDS - started)) s" >&2
