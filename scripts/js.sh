#!/usr/bin/env bash
# Installs the JavaScript reference rows' side, as scripts/python.sh does the Python one:
# Node's packages into js/node_modules (git-ignored) at the versions js/package-lock.json pins
# (jQuery for the talk's async.html, playwright-core to drive the browser), and, where they are
# missing, Node.js and Chromium with the system's package manager (Debian: nodejs, npm,
# chromium).
#
#   scripts/js.sh            # install (or bring up to date) js/node_modules, and Chromium
#   scripts/js.sh --check    # every JavaScript file parses (node --check)
#
# Once it has run, scripts/run_all.sh measures js/talks/promises.mjs (Node) and, where Chromium
# is, js/talks/async.html (js/talks/browser.mjs) beside the Rust and Python rows. A machine
# where Chromium cannot be installed still gets the Node row; the browser's row and checks say
# that they were skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == --check ]]; then
  command -v node >/dev/null 2>&1 || { echo "no node: run scripts/js.sh first" >&2; exit 2; }
  for file in js/*.mjs js/talks/*.mjs js/waits/*.mjs js/book/*.mjs; do
    node --check "$file"
  done
  echo "js: every file parses"
  exit 0
fi

# Packages of the system's package manager, as root or through sudo, quietly.
apt_install() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || return 1
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null 2>&1; }
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm || true
fi
if ! command -v node >/dev/null 2>&1; then
  echo "node is not installed: the JavaScript reference rows need Node.js 18 or later" >&2
  exit 2
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 18 ? 1 : 0)'; then
  echo "node $(node --version) is too old: the JavaScript rows need 18 or later (fetch)" >&2
  exit 2
fi
(cd js && npm ci --no-audit --no-fund --silent)

chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
  apt_install chromium || true
fi
if [[ -x $chromium ]]; then
  browser="$("$chromium" --version 2>/dev/null | head -1)"
else
  browser="no chromium (the browser's row and checks are skipped)"
fi
echo "js: node $(node --version), $(node -p 'const l = require("./js/package-lock.json").packages;
  ["jquery", "playwright-core"].map(n => n + " " + l["node_modules/" + n].version).join(", ")'), ${browser}"
