#!/usr/bin/env bash
# Package smoke test: the packages as a NuGet consumer gets them, not as project references.
#
#  1. dotnet pack of both packages into a temporary local feed, as a unique prerelease (0.1.0-smoke.<run>), so that
#     NuGet's global cache can never serve an older build of the same version; that cache entry is removed at the end.
#  2. A fresh `dotnet new webapp` in a temporary folder outside the repository, with a temporary NuGet.config (the
#     local feed on top of the usual sources), `dotnet add package AspNet.Security.OAuth.Wikimedia` and nothing else:
#     AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie().AddWikimedia(), a /signin
#     endpoint, and "Signed in as ..." on the home page. (The cookie scheme is named as the default, as in the README:
#     with two schemes and no default, the callback has no scheme to sign in to and answers 500.)
#  3. The emulator package in a tiny console host (test/package-smoke/emulator), also from the local feed, approving
#     every sign-in as "Example User". The web app knows it only through two configuration keys,
#     Authentication:Schemes:Wikimedia:ClientId (the emulator's public consumer: PKCE, no secret) and :Authority.
#  4. curl with a cookie jar, on 127.0.0.1 only: /signin -> emulator -> /signin-wikimedia -> /, which must say
#     "Signed in as Example User".
#  5. The template package, installed into a temporary template hive (--debug:custom-hive, so the machine's own
#     templates are untouched): `dotnet new wikimedia-razor` and `dotnet new wikimedia-blazor` each create an app that
#     is built against the packed packages and run in Development with no credentials, so against the built-in
#     emulator (Emulator:AutoApproveAs approves the sign-in without a consent page); curl signs in as in step 4.
#
# Exits 0 on success, non-zero on failure; prints the last lines of the failing step's log. Processes are stopped by
# their PID and the temporary folders removed, whatever happens (PACKAGE_SMOKE_KEEP=1 keeps the folder, logs included,
# for a look). Needs a warm NuGet cache for speed, not for success.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work="$(mktemp -d "${TMPDIR:-/tmp}/wikimedia-package-smoke.XXXXXX")"
version_suffix="smoke.$(date +%s).$$"
version=""
pids=()
nuget_cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$version" ]; then
    local id
    for id in aspnet.security.oauth.wikimedia aspnet.security.oauth.wikimedia.testing aspnet.security.oauth.wikimedia.templates; do
      rm -rf "${nuget_cache:?}/$id/$version"
      rmdir "$nuget_cache/$id" 2>/dev/null || true
    done
  fi
  if [ "${PACKAGE_SMOKE_KEEP:-0}" = 1 ]; then
    echo "  kept $work (PACKAGE_SMOKE_KEEP=1)"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
# Interrupted or terminated: exit, which runs the cleanup above.
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "package smoke test FAILED: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    tail -n 25 "$2" | sed 's/^/  | /' >&2
  fi
  exit 1
}

step() { printf '  %-44s %3d s\n' "$1" "$((SECONDS - step_started))"; step_started=$SECONDS; }
step_started=$SECONDS

# 1. Pack. The Release build of the packages is reused when it is current (test.sh has just built the solution).
feed="$work/feed"
mkdir -p "$feed"
for project in AspNet.Security.OAuth.Wikimedia.Testing AspNet.Security.OAuth.Wikimedia.Templates; do
  dotnet build "$repo/src/$project" -c Release -nologo -v q >"$work/build.log" 2>&1 || fail "building $project" "$work/build.log"
done
for project in AspNet.Security.OAuth.Wikimedia AspNet.Security.OAuth.Wikimedia.Testing AspNet.Security.OAuth.Wikimedia.Templates; do
  dotnet pack "$repo/src/$project" -c Release --no-build --no-restore -nologo -o "$feed" \
    -p:VersionSuffix="$version_suffix" >"$work/pack-$project.log" 2>&1 || fail "dotnet pack $project" "$work/pack-$project.log"
done
package="$(find "$feed" -name 'AspNet.Security.OAuth.Wikimedia.0*.nupkg' -printf '%f\n')"
version="${package#AspNet.Security.OAuth.Wikimedia.}"
version="${version%.nupkg}"
[ -n "$version" ] && [ -f "$feed/AspNet.Security.OAuth.Wikimedia.Testing.$version.nupkg" ] &&
  [ -f "$feed/AspNet.Security.OAuth.Wikimedia.Templates.$version.nupkg" ] &&
  [ -f "$feed/AspNet.Security.OAuth.Wikimedia.$version.snupkg" ] || fail "the feed lacks a package: $(ls "$feed")"
step "pack $version"

# 2. The consumer: a fresh web app outside the repository (so no Directory.Build.props or central versions apply),
# with the repository's SDK pin.
cp "$repo/global.json" "$work/global.json"
cat >"$work/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="package-smoke" value="$feed" />
  </packageSources>
</configuration>
EOF
app="$work/SmokeApp"
dotnet new webapp -o "$app" -n SmokeApp --no-restore >"$work/new.log" 2>&1 || fail "dotnet new webapp" "$work/new.log"
dotnet add "$app/SmokeApp.csproj" package AspNet.Security.OAuth.Wikimedia --version "$version" >"$work/add.log" 2>&1 ||
  fail "dotnet add package AspNet.Security.OAuth.Wikimedia $version" "$work/add.log"

# The template's Program.cs, edited at its anchors; a template that lost one fails here rather than later. The
# template writes CRLF line ends: LF first, so that the anchors match whole lines.
program="$app/Program.cs"
index="$app/Pages/Index.cshtml"
sed -i 's/\r$//' "$program" "$index"
for anchor in 'builder.Services.AddRazorPages();' 'app.UseAuthorization();' 'app.Run();'; do
  grep -qxF "$anchor" "$program" || fail "the webapp template's Program.cs has no line '$anchor'"
done
{
  echo 'using Microsoft.AspNetCore.Authentication;'
  echo 'using Microsoft.AspNetCore.Authentication.Cookies;'
  echo
  sed -e 's|^builder.Services.AddRazorPages();$|&\
\
// Wikimedia sign-in; ClientId and Authority come from configuration (Authentication:Schemes:Wikimedia).\
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)\
    .AddCookie()\
    .AddWikimedia();|' \
    -e 's|^app.UseAuthorization();$|app.UseAuthentication();\
&|' \
    -e 's|^app.Run();$|app.MapGet("/signin", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, ["Wikimedia"]));\
\
&|' "$program"
} >"$program.new"
mv "$program.new" "$program"
grep -q '<h1 class="display-4">Welcome</h1>' "$index" || fail "the webapp template's Index.cshtml has no Welcome heading"
sed -i 's|<h1 class="display-4">Welcome</h1>|&\
    @if (User.Identity?.IsAuthenticated == true)\
    {\
        <p id="signed-in">Signed in as @User.Identity.Name</p>\
    }\
    else\
    {\
        <p><a href="/signin">Sign in with Wikimedia</a></p>\
    }|' "$index"

# 3. The emulator host, from the same feed.
emulator="$work/SmokeEmulator"
cp -r "$here/emulator" "$emulator"

# Both are restored and built at once (two cores, two projects).
dotnet build "$app/SmokeApp.csproj" -c Release -nologo -v q >"$work/build-app.log" 2>&1 &
app_build=$!
pids+=("$app_build")
emulator_built=0
dotnet build "$emulator/SmokeEmulator.csproj" -c Release -nologo -v q -p:SmokePackageVersion="$version" >"$work/build-emulator.log" 2>&1 &&
  emulator_built=1
app_built=0
wait "$app_build" && app_built=1
pids=() # the build has ended: its PID must not be signalled later
[ "$emulator_built" = 1 ] || fail "building the emulator host against the packed emulator package" "$work/build-emulator.log"
[ "$app_built" = 1 ] || fail "building the web app against the packed package" "$work/build-app.log"
grep -q "aspnet.security.oauth.wikimedia/$version" "$app/obj/project.assets.json" ||
  fail "the web app did not restore AspNet.Security.OAuth.Wikimedia $version"
step "new webapp, add package, build (and emulator host)"

# 4. Run both on loopback ports they choose, and read the ports from their output.
wait_for() { # FILE PATTERN SECONDS: prints the first line of FILE matching PATTERN
  local deadline=$((SECONDS + $3)) line
  while [ $SECONDS -lt $deadline ]; do
    line="$(grep -m 1 -E "$2" "$1" 2>/dev/null || true)"
    [ -n "$line" ] && { echo "$line"; return 0; }
    sleep 0.2
  done
  return 1
}

dotnet "$emulator/bin/Release/net10.0/SmokeEmulator.dll" >"$work/emulator.log" 2>&1 &
pids+=($!)
authority="$(wait_for "$work/emulator.log" '^authority=' 30)" || fail "the emulator did not start" "$work/emulator.log"
authority="${authority#authority=}"
client_id="$(wait_for "$work/emulator.log" '^public-client-id=' 5)" || fail "the emulator named no client" "$work/emulator.log"
client_id="${client_id#public-client-id=}"

# The two configuration keys, as environment variables (Authentication__Schemes__Wikimedia__*).
(
  cd "$app"
  export ASPNETCORE_ENVIRONMENT=Production
  export Authentication__Schemes__Wikimedia__ClientId="$client_id"
  export Authentication__Schemes__Wikimedia__Authority="$authority"
  exec dotnet bin/Release/net10.0/SmokeApp.dll --urls http://127.0.0.1:0
) >"$work/app.log" 2>&1 &
pids+=($!)
listening="$(wait_for "$work/app.log" 'Now listening on: http://127\.0\.0\.1:[0-9]+' 30)" ||
  fail "the web app did not start" "$work/app.log"
base="http://127.0.0.1:${listening##*:}"
base="${base%%[^0-9a-z:/.]*}"
step "start emulator ($authority) and app ($base)"

# 5. Sign in with curl: follow every redirect, keep cookies, stay on 127.0.0.1.
jar="$work/cookies.txt"
anonymous="$(curl -sS --max-time 10 "$base/")" || fail "GET $base/" "$work/app.log"
grep -q 'Sign in with Wikimedia' <<<"$anonymous" || fail "the anonymous home page has no sign-in link" "$work/app.log"
signed_in="$(curl -sS --max-time 20 -L --max-redirs 5 --proto =http --proto-redir =http -c "$jar" -b "$jar" \
  -w '\nfinal-url=%{url_effective} status=%{http_code} redirects=%{num_redirects}\n' "$base/signin")" ||
  fail "the sign-in journey" "$work/app.log"
summary="$(tail -n 1 <<<"$signed_in")"
line="$(grep -o 'Signed in as [^<]*' <<<"$signed_in" || true)"
[ "$line" = "Signed in as Example User" ] || {
  echo "  $summary" >&2
  fail "the home page after sign-in does not say 'Signed in as Example User' (it says '${line:-nothing of the kind}')" "$work/app.log"
}
[[ "$summary" == "final-url=$base/ status=200 redirects=3" ]] || fail "unexpected journey: $summary" "$work/app.log"
# The session holds: the next request is signed in through the cookie alone.
again="$(curl -sS --max-time 10 -b "$jar" "$base/")" || fail "GET $base/ with the session cookie" "$work/app.log"
grep -q 'Signed in as Example User' <<<"$again" || fail "the session cookie did not keep the user signed in" "$work/app.log"
step "curl: $line"

# 6. The templates, from the packed template package, in a hive of their own.
hive="$work/template-hive"
dotnet new install "$feed/AspNet.Security.OAuth.Wikimedia.Templates.$version.nupkg" --debug:custom-hive "$hive" \
  >"$work/template-install.log" 2>&1 || fail "dotnet new install AspNet.Security.OAuth.Wikimedia.Templates $version" "$work/template-install.log"
step "dotnet new install the templates"
for template in wikimedia-razor wikimedia-blazor; do
  dir="$work/$template"
  log="$work/$template.log"
  dotnet new "$template" -o "$dir" -n "Smoke${template#wikimedia-}" --debug:custom-hive "$hive" >"$log" 2>&1 ||
    fail "dotnet new $template" "$log"
  dotnet build "$dir" -c Release -nologo -v q >>"$log" 2>&1 || fail "building the app of dotnet new $template" "$log"
  grep -q "aspnet.security.oauth.wikimedia/$version" "$dir/obj/project.assets.json" ||
    fail "the app of dotnet new $template did not restore AspNet.Security.OAuth.Wikimedia $version"
  (
    cd "$dir"
    export ASPNETCORE_ENVIRONMENT=Development
    export Emulator__AutoApproveAs="Example User"
    exec dotnet "bin/Release/net10.0/Smoke${template#wikimedia-}.dll" --urls http://127.0.0.1:0
  ) >"$work/$template-app.log" 2>&1 &
  pids+=($!)
  listening="$(wait_for "$work/$template-app.log" 'Now listening on: http://127\.0\.0\.1:[0-9]+' 30)" ||
    fail "the app of dotnet new $template did not start" "$work/$template-app.log"
  base="http://127.0.0.1:${listening##*:}"
  base="${base%%[^0-9a-z:/.]*}"
  jar="$work/$template-cookies.txt"
  signed_in="$(curl -sS --max-time 20 -L --max-redirs 5 --proto =http --proto-redir =http -c "$jar" -b "$jar" "$base/signin")" ||
    fail "the sign-in journey of dotnet new $template" "$work/$template-app.log"
  grep -qE 'Signed in as (<span id="username">)?Example User' <<<"$signed_in" ||
    fail "the app of dotnet new $template does not say 'Signed in as Example User' after sign-in" "$work/$template-app.log"
  grep -q 'built-in Wikimedia emulator' <<<"$signed_in" ||
    fail "the app of dotnet new $template does not say that it runs against the emulator" "$work/$template-app.log"
  step "dotnet new $template, build, sign in"
done
echo "package smoke test passed: $line (AspNet.Security.OAuth.Wikimedia $version from a local feed; both templates created, built and signed in)"
