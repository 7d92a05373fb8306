#!/usr/bin/env bash
# Creates the Python environment of the reference rows: python/.venv (git-ignored), with the
# talks' libraries at the versions pinned in python/requirements.txt. Needs only python3 with
# its venv module and pip, and PyPI (or a mirror pip is configured for).
#
#   scripts/python.sh            # create (or bring up to date) python/.venv
#   scripts/python.sh --check    # lint every Python file (ruff, then py_compile)
#
# Once it exists, scripts/run_all.sh measures the talks' programs
# (python/talks) and the Python servers (python/servers) beside the Rust rows.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=python/.venv
python=${PYTHON:-python3}

if [[ "${1:-}" == --check ]]; then
  [[ -x $venv/bin/python ]] || { echo "no $venv: run scripts/python.sh first" >&2; exit 2; }
  $venv/bin/ruff check python
  $venv/bin/ruff format --check python
  $venv/bin/python -m py_compile python/talks/*.py python/servers/*.py python/waits/*.py
  echo "python: every file passes ruff and compiles"
  exit 0
fi

# Where python3 or its venv module is missing, the system's package manager may add them.
install_python() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || return 1
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  $sudo apt-get install -y -qq python3 python3-venv >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null 2>&1 &&
      $sudo apt-get install -y -qq python3 python3-venv >/dev/null 2>&1; }
}

if ! command -v "$python" >/dev/null 2>&1; then
  install_python || true
fi
if ! command -v "$python" >/dev/null 2>&1; then
  echo "$python is not installed: the Python reference rows need Python 3.10 or later" >&2
  exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "$("$python" --version 2>&1) is too old: the Python reference rows need 3.10 or later" >&2
  exit 2
fi
if [[ ! -x $venv/bin/python ]]; then
  "$python" -m venv "$venv" 2>/dev/null || { rm -rf "$venv"; install_python && "$python" -m venv "$venv"; } || {
    rm -rf "$venv"
    echo "cannot create $venv: install Python's venv module (Debian: apt install python3-venv)" >&2
    exit 2
  }
fi
$venv/bin/python -m pip install --quiet --disable-pip-version-check -r python/requirements.txt
echo "python: $($venv/bin/python --version) in $venv, with" \
  "$($venv/bin/python -m pip list --disable-pip-version-check 2>/dev/null |
    awk '$1 ~ /^(requests|Twisted|eventlet|gevent|tornado|aiohttp)$/ {printf "%s %s, ", $1, $2}' |
    sed 's/, $//')"
