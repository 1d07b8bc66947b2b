#!/usr/bin/env bash
# Builds the real Temporal server (temporal-server, temporal-sql-tool) and the standalone
# Temporal Web UI server (ui-server, the built UI embedded) from their official Go modules,
# pinned, into .tools/temporal/bin, and writes the versions it used to
# .tools/temporal/bin/versions.txt. Everything Go writes (toolchain, modules, build cache)
# stays under .tools/go, so the cold build (~15 min, ~1.7 GB of modules) happens once per clone.
# Idempotent: exits at once when the pinned binaries are already there.
# Used by `npm start -- --temporal=postgres` and `npm run bench`; not by `npm test`.
# When a part cannot be built it says so in one line naming the module the proxy did not
# serve (the full output is in .tools/temporal/<part>-build.log) and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TEMPORAL_SERVER_VERSION=v1.32.2
TEMPORAL_UI_VERSION=v2.58.1
# ui-server's go.mod asks for go.temporal.io/api v1.64.0, whose source the public module
# proxy refuses (403 "not available"). When its own pins cannot be fetched the UI is built in
# a wrapper module that raises go.temporal.io/api to the first of these that builds (patch
# releases of the same API, so the UI's gRPC calls are unchanged).
TEMPORAL_UI_API_FALLBACKS="v1.64.3 v1.64.2 v1.64.1"
GO_TOOLCHAIN=go1.27.3
OUT="$ROOT/.tools/temporal"
BIN="$OUT/bin"
SERVER_PINS="server=$TEMPORAL_SERVER_VERSION toolchain=$GO_TOOLCHAIN"
UI_PINS="ui=$TEMPORAL_UI_VERSION api-fallbacks=$TEMPORAL_UI_API_FALLBACKS toolchain=$GO_TOOLCHAIN"
stamped() { [ -f "$BIN/$1" ] && [ "$(cat "$BIN/$1")" = "$2" ]; }
server_ok() { stamped .server-pins "$SERVER_PINS" && [ -x "$BIN/temporal-server" ] && [ -x "$BIN/temporal-sql-tool" ] && [ -d "$OUT/schema" ]; }
ui_ok() { stamped .ui-pins "$UI_PINS" && [ -x "$BIN/ui-server" ]; }
if server_ok && ui_ok; then exit 0; fi

command -v go >/dev/null || { echo "revcycle: Go is required to build the Temporal server (any Go >= 1.21 fetches $GO_TOOLCHAIN itself)" >&2; exit 1; }
export GOPATH="$ROOT/.tools/go" GOMODCACHE="$ROOT/.tools/go/mod" GOCACHE="$ROOT/.tools/go/cache"
export GOTOOLCHAIN="$GO_TOOLCHAIN" GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
mkdir -p "$BIN"

# The modules a failed go command could not fetch, as "module@version" joined by ", ".
unserved() { grep -oE '[A-Za-z0-9._~/-]+@v[0-9][^ :]*: (reading|verifying|unrecognized import path|invalid version)' "$1" | sed 's/: .*//' | sort -u | paste -sd, - | sed 's/,/, /g'; }
# One line for a part that could not be built, then exit 1.
cannot_build() { # part log
  local missing; missing=$(unserved "$2" || true)
  if [ -n "$missing" ]; then
    echo "revcycle: $1 cannot be built: the Go module proxy does not serve $missing (see ${2#"$ROOT/"})" >&2
  else
    echo "revcycle: $1 cannot be built: $(grep -v '^go: downloading' "$2" | tail -1) (see ${2#"$ROOT/"})" >&2
  fi
  exit 1
}
# Binaries are built beside their final name and renamed into place: a running server keeps
# its file, and a second build at the same moment never leaves half a binary.
install_bin() { chmod +x "$1" && mv -f "$1" "$2"; }

go version >"$OUT/toolchain.log" 2>&1 || cannot_build "the Go toolchain $GO_TOOLCHAIN" "$OUT/toolchain.log"

if ! server_ok; then
  echo "revcycle: building Temporal server $TEMPORAL_SERVER_VERSION with $GO_TOOLCHAIN into .tools/temporal (once; about 15 minutes cold)" >&2
  LOG="$OUT/server-build.log"
  # Built inside the module's own source, so its own go.mod/go.sum pin every dependency.
  SRC=$(go mod download -json "go.temporal.io/server@$TEMPORAL_SERVER_VERSION" 2>"$LOG" | tee -a "$LOG" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p' || true)
  [ -n "$SRC" ] || cannot_build "the Temporal server ($TEMPORAL_SERVER_VERSION)" "$LOG"
  ( cd "$SRC" && go build -trimpath -o "$BIN/.temporal-server.$$" ./cmd/server && go build -trimpath -o "$BIN/.temporal-sql-tool.$$" ./cmd/tools/sql ) >>"$LOG" 2>&1 \
    || { rm -f "$BIN/.temporal-server.$$" "$BIN/.temporal-sql-tool.$$"; cannot_build "the Temporal server ($TEMPORAL_SERVER_VERSION)" "$LOG"; }
  install_bin "$BIN/.temporal-server.$$" "$BIN/temporal-server"
  install_bin "$BIN/.temporal-sql-tool.$$" "$BIN/temporal-sql-tool"
  # The schema files ship in the module source; keep a copy beside the binaries.
  rm -rf "$OUT/schema" && cp -r "$SRC/schema" "$OUT/schema" && chmod -R u+w "$OUT/schema"
  echo "$SERVER_PINS" > "$BIN/.server-pins"
fi

if ! ui_ok; then
  echo "revcycle: building the Temporal Web UI server (ui-server $TEMPORAL_UI_VERSION) into .tools/temporal" >&2
  LOG="$OUT/ui-build.log"
  : >"$LOG"
  # A wrapper module of our own (its go.mod and go.sum kept as the record of what was
  # resolved): ui-server's own pins first, then each go.temporal.io/api fallback.
  # Resolved in a scratch copy, kept as ui-module only when it builds.
  WRAP="$OUT/.ui-module.$$"
  trap 'rm -rf "$WRAP"' EXIT
  built=""
  for api in own $TEMPORAL_UI_API_FALLBACKS; do
    rm -rf "$WRAP" && mkdir -p "$WRAP"
    printf 'module revcycle.local/temporal-ui\n\ngo 1.21\n' >"$WRAP/go.mod"
    want=("github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_VERSION")
    [ "$api" = own ] || want+=("go.temporal.io/api@$api")
    echo "== ui-server $TEMPORAL_UI_VERSION with go.temporal.io/api: $api" >>"$LOG"
    if ( cd "$WRAP" && GOFLAGS=-mod=mod go get "${want[@]}" ) >>"$LOG" 2>&1 \
      && [ "$(cd "$WRAP" && go list -m -f '{{.Version}}' github.com/temporalio/ui-server/v2 2>>"$LOG")" = "$TEMPORAL_UI_VERSION" ] \
      && ( cd "$WRAP" && go build -trimpath -o "$BIN/.ui-server.$$" github.com/temporalio/ui-server/v2/cmd/server ) >>"$LOG" 2>&1; then
      built=$api
      break
    fi
    rm -f "$BIN/.ui-server.$$"
  done
  [ -n "$built" ] || cannot_build "the Temporal Web UI (ui-server $TEMPORAL_UI_VERSION)" "$LOG"
  # The UI itself is the built web app the module ships in ui/assets/local, embedded in the
  # binary (go:embed); a module without it would serve the API and an empty page.
  UISRC=$(cd "$WRAP" && go list -m -f '{{.Dir}}' github.com/temporalio/ui-server/v2)
  [ -f "$UISRC/ui/assets/local/index.html" ] && [ -d "$UISRC/ui/assets/local/_app/immutable" ] \
    || { rm -f "$BIN/.ui-server.$$"; echo "revcycle: ui-server $TEMPORAL_UI_VERSION ships no built UI (ui/assets/local); the Web UI cannot be served" >&2; exit 1; }
  install_bin "$BIN/.ui-server.$$" "$BIN/ui-server"
  rm -rf "$OUT/ui-module" && mv "$WRAP" "$OUT/ui-module"
  UISRC=$(cd "$OUT/ui-module" && go list -m -f '{{.Dir}}' github.com/temporalio/ui-server/v2)
  echo "$UI_PINS" > "$BIN/.ui-pins"
fi

# What was built, from the binaries themselves (the module and go.temporal.io/api each links).
{
  echo "# written by scripts/temporal-server-build.sh from \`go version -m\` of each binary"
  for b in temporal-server temporal-sql-tool ui-server; do
    # The server is built inside its module's source, where Go calls the main module "(devel)".
    go version -m "$BIN/$b" | awk -v b="$b" -v server="$TEMPORAL_SERVER_VERSION" '
      NR == 1 { tc = $2 }
      $1 == "mod" { mod = $2 " " ($2 == "go.temporal.io/server" && $3 == "(devel)" ? server : $3) }
      $1 == "dep" && $2 == "go.temporal.io/api" { api = $3 }
      END { printf "%s: %s, go.temporal.io/api %s, %s\n", b, mod, api, tc }'
  done
  UISRC=${UISRC:-$(go env GOMODCACHE)/github.com/temporalio/ui-server/v2@$TEMPORAL_UI_VERSION}
  own=$(awk '$1 == "go.temporal.io/api" { print $2 }' "$UISRC/go.mod" 2>/dev/null || true)
  used=$(go version -m "$BIN/ui-server" | awk '$1 == "dep" && $2 == "go.temporal.io/api" { print $3 }')
  [ -z "$own" ] || [ "$own" = "$used" ] || echo "ui-server: go.temporal.io/api raised from $own (its own go.mod) to $used: the module proxy did not serve $own"
  [ -d "$UISRC/ui/assets/local" ] && echo "ui-server embeds the built UI: $(find "$UISRC/ui/assets/local" -type f | wc -l) files from ui/assets/local"
} >"$BIN/versions.txt"
echo "revcycle: Temporal built in .tools/temporal/bin:" >&2
sed 's/^/  /' "$BIN/versions.txt" | grep -v '^  #' >&2
