#!/usr/bin/env bash
# Measures every serve-* server under a load generator on this machine: for each server and
# C in 10, 100, 1,000, 5,000 and 10,000 keep-alive connections, three 10 s runs of wrk against
# GET /work?ms=50&size=1024 (`bench servers`, crates/bench), then the tables and charts of the
# run (`docgen servers`, crates/docgen).
#
#   scripts/serve_all.sh                     # the full benchmark (about 50 minutes on 2 cores)
#   scripts/serve_all.sh --quick             # C = 10 and 100, 2 s, one run: the pipeline in seconds
#   scripts/serve_all.sh --out docs/servers  # the committed run; then
#       cargo run -p docgen -- servers --write docs/SERVERS.md
#   scripts/serve_all.sh --connections 19000 --repeats 1 --out docs/servers/ceiling
#                                            # this machine's ceiling (C = 19,000)
#   scripts/serve_all.sh --hostile           # the servers against hostile clients (bench hostile):
#                                            # 19,000 idle connections, 1,000 clients that never
#                                            # read, no descriptors left; --quick for a small run
#   scripts/serve_all.sh --help              # every option
#
# Where scripts/python.sh has made python/.venv, the Python servers (python/servers) are measured
# after the Rust ones (--beside-python: only they and the Rust servers they are read beside).
# Installs wrk with the system's package manager if it is missing; where that cannot be done,
# installs oha with cargo and uses it instead. Results go to results/servers-<date-time>/ (or
# --out DIR): runs.csv, machine.json, the charts, and each run's raw output under raw/.
set -euo pipefail
cd "$(dirname "$0")/.."

out=""
load=""
bench=servers
args=()
for arg in "$@"; do
  if [[ "$arg" == --hostile ]]; then bench=hostile; else args+=("$arg"); fi
done
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --out) out="${args[i + 1]:-}" ;;
    --out=*) out="${args[i]#--out=}" ;;
    --load) load="${args[i + 1]:-}" ;;
    --load=*) load="${args[i]#--load=}" ;;
    -h | --help)
      cargo run --quiet --release -p bench -- "$bench" --help
      exit 0
      ;;
  esac
done
if [[ -z "$out" ]]; then
  out="results/$bench-$(date -u +%Y%m%d-%H%M%S)"
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

if [[ -z "$load" && "$bench" == servers ]]; then
  if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is missing: installing it with the system's package manager" >&2
    install_wrk || true
  fi
  if ! command -v wrk >/dev/null 2>&1; then
    if ! command -v oha >/dev/null 2>&1; then
      echo "wrk cannot be installed here: installing oha with cargo instead" >&2
      cargo install oha --locked --quiet
    fi
    args+=(--load oha)
  fi
fi

# The servers are the catalogue's.
mapfile -t servers < <(cargo run --quiet -p catalogue -- --list servers)
cargo build --release --quiet -p bench -p docgen "${servers[@]/#/--package=}"
target/release/bench "$bench" --bin-dir target/release "${args[@]}"
if [[ "$bench" == hostile ]]; then
  echo "figures: $out/hostile.csv" >&2
  exit 0
fi
target/release/docgen servers --from "$out" > "$out/tables.md"
echo "tables: $out/tables.md; charts: $out/rps.svg, $out/rss.svg, $out/p99.svg" >&2
