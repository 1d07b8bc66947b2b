#!/usr/bin/env bash
# Builds the real Temporal server (temporal-server, temporal-sql-tool) and the standalone
# Temporal Web UI server (ui-server) from their official Go modules, pinned, into
# .tools/temporal/bin. Everything Go writes (toolchain, modules, build cache) stays under
# .tools/go, so the cold build (~15 min, ~1.7 GB of modules) happens once per clone.
# Idempotent: exits at once when the pinned binaries are already there.
# Used by `npm start -- --temporal=postgres` and `npm run bench`; not by `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TEMPORAL_SERVER_VERSION=v1.32.2
TEMPORAL_UI_VERSION=v2.58.1
GO_TOOLCHAIN=go1.27.3
PINS="server=$TEMPORAL_SERVER_VERSION ui=$TEMPORAL_UI_VERSION toolchain=$GO_TOOLCHAIN"
BIN="$ROOT/.tools/temporal/bin"
STAMP="$BIN/.pins"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PINS" ] && [ -x "$BIN/temporal-server" ] && [ -x "$BIN/temporal-sql-tool" ]; then exit 0; fi
command -v go >/dev/null || { echo "revcycle: Go is required to build the Temporal server (any Go >= 1.21 fetches $GO_TOOLCHAIN itself)" >&2; exit 1; }
export GOPATH="$ROOT/.tools/go" GOMODCACHE="$ROOT/.tools/go/mod" GOCACHE="$ROOT/.tools/go/cache"
export GOTOOLCHAIN="$GO_TOOLCHAIN" GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
mkdir -p "$BIN"
echo "revcycle: building Temporal server $TEMPORAL_SERVER_VERSION and UI $TEMPORAL_UI_VERSION with $GO_TOOLCHAIN into .tools/temporal (once; about 15 minutes cold)" >&2
go version >&2
# Build inside each module's own source, so its own go.mod/go.sum pin every dependency.
moddir() { go mod download -json "$1" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p' || true; }
SRC=$(moddir "go.temporal.io/server@$TEMPORAL_SERVER_VERSION")
[ -n "$SRC" ] || { echo "revcycle: the module proxy did not serve go.temporal.io/server@$TEMPORAL_SERVER_VERSION" >&2; exit 1; }
( cd "$SRC" && go build -trimpath -o "$BIN/temporal-server" ./cmd/server && go build -trimpath -o "$BIN/temporal-sql-tool" ./cmd/tools/sql )
# The schema files ship in the module source; keep a copy beside the binaries.
rm -rf "$ROOT/.tools/temporal/schema" && cp -r "$SRC/schema" "$ROOT/.tools/temporal/schema" && chmod -R u+w "$ROOT/.tools/temporal/schema"
# The Web UI is optional: where the module proxy does not serve ui-server's dependencies
# (as in this project's build environment), the server runs without it.
UISRC=$(moddir "github.com/temporalio/ui-server/v2@$TEMPORAL_UI_VERSION")
if [ -z "$UISRC" ] || ! ( cd "$UISRC" && go build -trimpath -o "$BIN/ui-server" ./cmd/server ) 2>"$ROOT/.tools/temporal/ui-build.log"; then
  echo "revcycle: the Temporal Web UI (ui-server $TEMPORAL_UI_VERSION) could not be built (see .tools/temporal/ui-build.log); the server runs without it" >&2
fi
echo "$PINS" > "$STAMP"
echo "revcycle: Temporal server built in .tools/temporal/bin" >&2
