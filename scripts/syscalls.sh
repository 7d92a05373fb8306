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

csv="$out/syscalls/syscalls.csv"
# server,connections,requests,call,calls,errors: one line per server and call.
awk -F, 'NR > 1 {
    requests[$1] = $3; total[$1] += $5; calls[$1, $4] = $5; errors[$1, $4] = $6
    if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
    names[$1] = names[$1] " " $4
  }
  END {
    printf "| server | requests | system calls per request | most of them (per request) |\n"
    printf "|---|---:|---:|---|\n"
    for (i = 1; i <= n; i++) {
      s = order[i]; r = requests[s] > 0 ? requests[s] : 1
      split(substr(names[s], 2), list, " ")
      top = ""
      for (k = 0; k < 3; k++) {
        best = ""
        for (j in list) if (!(list[j] in taken) && (best == "" || calls[s, list[j]] > calls[s, best])) best = list[j]
        if (best == "") break
        taken[best] = 1
        e = errors[s, best] / r >= 0.005 ? sprintf(" (%.2f failing)", errors[s, best] / r) : ""
        top = top (top == "" ? "" : ", ") sprintf("%s %.2f%s", best, calls[s, best] / r, e)
      }
      delete taken
      printf "| %s | %d | %.2f | %s |\n", s, requests[s], total[s] / r, top
    }
  }' "$csv"

status=0
for limit in "${limits[@]}"; do
  server="${limit%%=*}"
  max="${limit#*=}"
  per=$(awk -F, -v s="$server" '$1 == s { r = $3; t += $5 } END { if (r > 0) printf "%.3f", t / r }' "$csv")
  if [[ -z "$per" ]]; then
    echo "syscalls.sh: $server answered no requests under strace" >&2
    status=1
  elif awk -v p="$per" -v m="$max" 'BEGIN { exit !(p > m) }'; then
    echo "syscalls.sh: $server makes $per system calls per request, more than $max" >&2
    status=1
  else
    echo "$server: $per system calls per request, at most $max" >&2
  fi
done
echo "raw output: $out/syscalls" >&2
exit "$status"
