#!/usr/bin/env bash
# The one test command: installs what the tests need, runs every test project, and prints one closing line
# "N passed, N failed" summed over all of them. Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Under faketime (the suite's clock-a-year-ahead check, `faketime -f '+400d' ./test.sh`) files keep their real times:
# libfaketime would shift them too, twice for the files MSBuild copies with their times, and the build's incremental
# checks would then see outputs from the future (a WebAssembly app's compressed assets went stale that way).
export NO_FAKE_STAT=1

source test/scripts/ensure-apt.sh

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here); the interop tests run two
# genuine MediaWikis with Extension:OAuth from Debian's packages (test/realwiki): 1.39 from this machine's Debian 12,
# 1.43 from Debian 13 in a folder that mmdebstrap makes (once; kept in .test-output); the Redis companion's tests start
# Debian's redis-server themselves, one per test on a free loopback port, without persistence (the farm outage test: an append-only file in a folder of its own), and stop it by its
# PID (test/AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.Tests/RedisServer.cs); the farm test there runs Debian's nginx
# in front of two sample processes, one of them under faketime (Farm/NginxFarmTests.cs). One apt transaction for all.
ensure_apt chromium mediawiki php-cli php-sqlite3 php-mbstring php-xml php-intl php-curl php-gmp php-bcmath openssl curl mmdebstrap redis-server nginx faketime ||
  { echo "could not install the test dependencies"; echo "0 passed, 1 failed"; exit 1; }
export CHROMIUM_PATH=/usr/bin/chromium
# Chromium's first start on a new machine builds the font cache: do it now, not inside a browser test's time-out.
fc-cache >/dev/null 2>&1 || true
export REDIS_SERVER=/usr/bin/redis-server
# Test artifacts (browser screenshots) land here; the folder is ignored by git.
export SCREENSHOT_DIR="$PWD/.test-output/screenshots"
mkdir -p "$SCREENSHOT_DIR"

results=$(mktemp -d)
# The real wikis are stopped by their PIDs (test/realwiki/stop.sh) whatever happens.
trap 'test/realwiki/stop.sh >/dev/null 2>&1; REALWIKI_VERSION=1.43 test/realwiki/stop.sh >/dev/null 2>&1; rm -rf "$results"' EXIT

# The real wikis build (when missing) and start while .NET builds: they need different things.
wiki_started=$SECONDS
test/realwiki/start.sh >"$results/realwiki.log" 2>&1 &
wiki_pid=$!
REALWIKI_VERSION=1.43 test/realwiki/start.sh >"$results/realwiki143.log" 2>&1 &
wiki143_pid=$!

echo "== build"
if ! dotnet build AspNet.Security.OAuth.Wikimedia.sln -c Release -nologo -v q >"$results/build.log" 2>&1; then
  grep -E 'error|warn' "$results/build.log" | sort -u | head -n 40
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

for version in 1.39 1.43; do
  if [ "$version" = 1.39 ]; then pid=$wiki_pid log=$results/realwiki.log; else pid=$wiki143_pid log=$results/realwiki143.log; fi
  if ! wait "$pid"; then
    tail -n 20 "$log"
    echo "the real MediaWiki $version did not start"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "== real MediaWiki $version: $(tail -n 1 "$log"), ready $((SECONDS - wiki_started)) s after the start of the build"
done

status=0
format_failed=0
echo "== format"
if ! dotnet format AspNet.Security.OAuth.Wikimedia.sln --verify-no-changes --no-restore >"$results/format.log" 2>&1; then
  grep -E 'error|warning' "$results/format.log" | head -n 20
  echo "formatting differs from .editorconfig: run 'dotnet format'"
  format_failed=1
fi

for project in test/*/*.csproj; do
  name=$(basename "$project" .csproj)
  # Benchmark projects are run by their own command (see docs/benchmarks.md), not as tests.
  grep -q '<IsTestProject>true</IsTestProject>' "$project" || continue
  echo "== $name"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=minimal" || status=1
done

# The tests that use a real wiki once more, against MediaWiki 1.43 (RealWiki.Version; the scenario table then holds
# the emulator's MediaWiki143 mode to it).
for project in test/AspNet.Security.OAuth.Wikimedia.InteropTests/*.csproj test/AspNet.Security.OAuth.Wikimedia.BlazorTests/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name, MediaWiki 1.43"
  REALWIKI_VERSION=1.43 dotnet test "$project" -c Release --no-build -nologo --filter "FullyQualifiedName~RealWiki|FullyQualifiedName~Scenarios" \
    --logger "trx;LogFileName=$name-mw143.trx" --results-directory "$results" \
    --logger "console;verbosity=minimal" || status=1
done

# The packages as a NuGet consumer gets them: packed into a local feed, added to a fresh `dotnet new webapp`, signed in
# against the packed emulator with curl (test/package-smoke/run.sh). It counts as one test.
echo "== package smoke test"
smoke_started=$SECONDS
smoke_passed=0
smoke_failed=0
if test/package-smoke/run.sh >"$results/package-smoke.log" 2>&1; then
  smoke_passed=1
else
  smoke_failed=1
  status=1
fi
sed 's/^/  /' "$results/package-smoke.log"
echo "  package smoke test $([ "$smoke_failed" -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - smoke_started)) s"

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# Figures that tests report (load and reliability runs) are lines "figures: ..." in their output: show them.
cat "$results"/*.trx 2>/dev/null | grep -o 'figures: [^<]*' | sed 's/^/  /' || true

failed=$((failed + format_failed))
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  # No results at all means something broke before the tests ran.
  failed=1
fi
passed=$((passed + smoke_passed))
failed=$((failed + smoke_failed))
if [ "$failed" -gt 0 ]; then
  status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
