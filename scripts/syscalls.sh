#!/usr/bin/env bash
# Counts the system calls each server makes per request: every serve-* binary (or those named)
# under wrk at C connections (200 by default) for a few seconds, traced with `strace -c -f`.
# strace slows every call, so the counts are the figures here, not the time.
#
#   scripts/syscalls.sh                                # every server, into target/syscalls/
#   scripts/syscalls.sh --out docs/servers/syscalls serve-tokio serve-smol
#   scripts/syscalls.sh --connections 1000 serve-smol
#   scripts/syscalls.sh --bin-dir /tmp/old serve-smol  # binaries built elsewhere (another commit)
#
# Writes, per server, the strace summary (SERVER.strace.txt) and wrk's output (SERVER.wrk.txt),
# and syscalls.csv: server, requests, then the calls per request of each system call.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/syscalls
connections=200
seconds=5
bin_dir=""
servers=()
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --bin-dir) bin_dir="$2"; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) servers+=("$1"); shift ;;
  esac
done
for tool in strace wrk; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 2; }
done
if ((${#servers[@]} == 0)); then
  mapfile -t servers < <(cargo run --quiet -p catalogue -- --list servers)
fi
if [[ -z "$bin_dir" ]]; then
  cargo build --quiet --release $(printf -- '-p %s ' "${servers[@]}")
  bin_dir=target/release
fi
mkdir -p "$out"
port=18181
echo "server,connections,requests,call,per_request" > "$out/syscalls.csv"
for server in "${servers[@]}"; do
  strace -c -f -o "$out/$server.strace.txt" "$bin_dir/$server" --port "$port" > /dev/null 2>&1 &
  traced=$!
  # The server listens once it has printed its address; wait for the port.
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2> /dev/null && break
    sleep 0.1
  done
  wrk -t2 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$port/work?ms=50&size=1024" \
    > "$out/$server.wrk.txt"
  # strace writes its summary when the traced server ends.
  pkill -TERM -P "$traced" 2> /dev/null || true
  wait "$traced" || true
  requests=$(awk '/requests in/ {print $1}' "$out/$server.wrk.txt")
  awk -v s="$server" -v c="$connections" -v r="$requests" '
    $1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { printf "%s,%s,%s,%s,%.2f\n", s, c, r, $NF, $4 / r }
  ' "$out/$server.strace.txt" | sort -t, -k5 -gr >> "$out/syscalls.csv"
  echo "$server: $requests requests; $(awk -F, -v s="$server" '$1 == s {t += $5} END {printf "%.1f", t}' "$out/syscalls.csv") system calls per request"
  port=$((port + 1))
done
