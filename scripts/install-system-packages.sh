#!/usr/bin/env bash
# System packages the tests and the PDF output use. Installs them when missing and
# this runs as root with apt-get; otherwise says what to install and carries on
# (tests that need them then skip locally, and fail under CI=true).
set -euo pipefail
PKGS=(libreoffice-calc-nogui fonts-morisawa-bizud-gothic poppler-utils)
have_all() {
  command -v soffice >/dev/null && command -v pdffonts >/dev/null && command -v pdftoppm >/dev/null \
    && fc-list 2>/dev/null | grep -qi "BIZ UDGothic"
}
if have_all; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== installing ${PKGS[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
else
  echo "note: install ${PKGS[*]} (e.g. sudo apt-get install ${PKGS[*]}) for the PDF and LibreOffice tests" >&2
fi
