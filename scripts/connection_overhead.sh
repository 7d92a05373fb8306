#!/usr/bin/env bash
# What 10,000 connections cost without any delay to hide them: runs each async model at N
# endpoints with --delay 0 and then --delay 1 against a standalone origin, and prints its wall
# time, CPU and the spread of its request times. What the wall adds to the delay is the time
# this machine needs to open, serve and close N loopback connections.
#
#   scripts/connection_overhead.sh [N]
#
# Needs python3. Waits for connections in TIME_WAIT to clear between runs, as the comparison does.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}

# shellcheck source=origin.sh
source scripts/origin.sh

wait_for_ports() {
  local tw
  for _ in $(seq 140); do
    tw=$(awk '/^TCP:/ { for (i = 1; i < NF; i++) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat)
    [ $((tw + n)) -le 14000 ] && return
    sleep 0.5
  done
}

echo "N=$n, against $url ($(nproc) cores)"
for model in fetch-async-std fetch-smol fetch-tokio; do
  for delay in 0 1; do
    wait_for_ports
    target/release/$model --origin "$url" --count "$n" --size 1024 --delay "$delay" --json |
      python3 -c '
import json, sys
j = json.load(sys.stdin)
s = sorted(r["seconds"] for r in j["requests"])
model, ok, wall, user, system = j["model"], j["ok"], j["wall_s"], j["user_s"], j["sys_s"]
print(f"{model:16} delay {sys.argv[1]} s: {ok} ok, wall {wall:.3f} s, "
      f"cpu {user:.2f} user + {system:.2f} sys, "
      f"request times {s[0]:.3f} / {s[len(s)//2]:.3f} / {s[-1]:.3f} s (min / median / max)")
' "$delay"
  done
done
