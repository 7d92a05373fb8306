#!/usr/bin/env bash
# System calls per request of each server: every serve-* binary under `strace -c -f` beside wrk
# at 200 keep-alive connections for 5 seconds (the syscalls part of the one run, lab/bench),
# then a table of calls per request and the calls that make most of them.
#
#   scripts/syscalls.sh                              # every server
#   scripts/syscalls.sh serve-reactor serve-tokio    # some of them
#   scripts/syscalls.sh --max serve-reactor=2.5      # also fails when serve-reactor makes more
#
# strace slows every call, so the figures are counts, not times. Needs strace and wrk (apt-get
# install strace wrk). The raw output stays in a temporary folder, printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

servers=()
limits=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --max)
      limits+=("${2:?--max needs SERVER=CALLS}")
      shift 2
      ;;
    --max=*)
      limits+=("${1#--max=}")
      shift
      ;;
    -h | --help)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "syscalls.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
    *)
      servers+=("$1")
      shift
      ;;
  esac
done
for tool in strace wrk; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "syscalls.sh: $tool is not installed (apt-get install $tool)" >&2
    exit 2
  fi
done

out=$(mktemp -d)
cargo build --release --workspace --bins --quiet
flags=()
for s in "${servers[@]}"; do flags+=(--servers "$s"); done
target/release/bench run --bin-dir target/release --only syscalls --out "$out" "${flags[@]}" >&2

# The table and the checks read the run through its types (docgen syscalls).
status=0
max=()
for limit in "${limits[@]}"; do max+=(--max "$limit"); done
target/release/docgen syscalls "$out" "${max[@]}" || status=$?
echo "raw output: $out/syscalls" >&2
exit "$status"
