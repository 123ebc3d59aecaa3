#!/usr/bin/env bash
# Runs the whole test suite. Installs the Python packages into .venv and, when run
# as root on Debian/Ubuntu, the system packages the tests use (LibreOffice,
# poppler-utils, the BIZ UD Gothic font). Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/install-system-packages.sh"
source "$ROOT/scripts/setup-env.sh"
exec .venv/bin/python -m pytest "$@"
