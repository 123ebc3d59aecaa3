#!/usr/bin/env bash
# Runs one survey year on the shipped sample: template -> split -> the departments'
# returned workbooks -> check -> consolidate -> committee version (and PDF when
# LibreOffice is installed). Output goes to ./demo-output (or the folder given).
set -euo pipefail
source "$(dirname "$0")/setup-env.sh"
exec .venv/bin/welfare-xl demo -o "${1:-demo-output}"
