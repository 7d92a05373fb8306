#!/usr/bin/env bash
# Measures everything the documents show, on this machine, in one run: builds every binary once
# in release mode, runs every part (`bench run`, lab/bench) into one folder, then makes the
# run's report and charts from what it wrote (`docgen`, lab/docgen).
#
#   scripts/run_all.sh                          # the whole set (README.md says how long it took)
#   scripts/run_all.sh --out docs/results       # the committed run: then every document is
#                                               # made again from it
#   scripts/run_all.sh --quick                  # every part at a tiny scale, in about 2 minutes
#   scripts/run_all.sh --verdict                # what README's verdict needs, in about 10
#                                               # minutes: its report says, row by row, whether
#                                               # this machine bears the verdict out
#   scripts/run_all.sh --only talks,servers     # some parts, into a folder of their own
#   scripts/run_all.sh --talks                  # the talks' programs alone (--only talks): every
#                                               # Rust model beside curl, Python, Node and the
#                                               # browser, in a few minutes
#   scripts/run_all.sh --help                   # every option and every part
#
# The parts: talks (the six sites and the jobs API, with their timelines), sweeps (1 to 10,000
# endpoints at once, 1 KiB and the talk's pages), ceiling (19,000 at once), read-buffer
# (fetch-smol's, size by size), servers (every server at 10 to 19,000 connections under wrk,
# then pinned apart from wrk on a core of its own, then at fixed offered rates under oha),
# hostile (the servers against hostile clients), syscalls (system calls per request, where
# strace is), memory (heap profiles, where valgrind is) and waits (1,000 to 1,000,000 waiters on
# timers, no sockets, every model and the talks' Python libraries and Node).
#
# Where scripts/python.sh has made python/.venv, the talks' own programs and the Python servers
# run beside the Rust rows, and where scripts/js.sh has run, the talks' JavaScript (Node's
# Promise.all, and async.html in headless Chromium); without them they are left out, and the
# run says so. Installs wrk
# with the system's package manager if it is missing; where that cannot be done, uses oha
# instead. Installs oha with cargo if it is missing: the fixed-rate runs need its rate limit
# and latency correction (without it, they are left out and the run says so). Results go to results/<date-time>/ (or --out DIR):
# machine.json, settings.json and a folder per part; report.md and the charts are made from
# them. Ctrl-C stops after the measurement under way and keeps what was measured.
set -euo pipefail
cd "$(dirname "$0")/.."

out=""
load=""
args=()
for arg in "$@"; do
  if [[ $arg == --talks ]]; then
    args+=(--only talks)
  else
    args+=("$arg")
  fi
done
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --out) out="${args[i + 1]:-}" ;;
    --out=*) out="${args[i]#--out=}" ;;
    --load) load="${args[i + 1]:-}" ;;
    --load=*) load="${args[i]#--load=}" ;;
    -h | --help)
      cargo run --quiet --release -p bench -- run --help
      exit 0
      ;;
  esac
done
if [[ -z "$out" ]]; then
  out="results/$(date -u +%Y-%m-%dT%H-%M-%SZ)"
  args+=(--out "$out")
fi

install_wrk() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || return 1
    sudo="sudo -n"
  fi
  if command -v apt-get >/dev/null 2>&1; then
    $sudo apt-get install -y -qq wrk >/dev/null 2>&1 ||
      { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq wrk >/dev/null 2>&1; }
  elif command -v dnf >/dev/null 2>&1; then
    $sudo dnf install -y -q wrk >/dev/null 2>&1
  elif command -v pacman >/dev/null 2>&1; then
    $sudo pacman -S --noconfirm wrk >/dev/null 2>&1
  elif command -v brew >/dev/null 2>&1; then
    brew install wrk >/dev/null 2>&1
  else
    return 1
  fi
}

if ! command -v oha >/dev/null 2>&1; then
  echo "oha is missing: installing it with cargo (kept in cargo's home for the next run)" >&2
  cargo install oha --locked --quiet || true
fi
if [[ -z "$load" ]]; then
  if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is missing: installing it with the system's package manager" >&2
    install_wrk || true
  fi
  if ! command -v wrk >/dev/null 2>&1; then
    if ! command -v oha >/dev/null 2>&1; then
      echo "wrk cannot be installed here, nor oha: the servers are not measured" >&2
    fi
    args+=(--load oha)
  fi
fi

cargo build --release --workspace --bins --quiet
status=0
target/release/bench run --bin-dir target/release "${args[@]}" || status=$?
# The committed run makes every document again; any other run gets a report of its own, drawn
# even when the run was interrupted (exit 130).
if [[ "$(realpath -m "$out")" == "$(realpath -m docs/results)" ]]; then
  [[ $status -eq 0 ]] && target/release/docgen pages --write
elif [[ $status -eq 0 || $status -eq 130 ]]; then
  target/release/docgen report "$out"
fi
exit "$status"
