#!/usr/bin/env bash
# How the size of hyper's read buffer changes fetch-smol's cost, on both workloads that matter:
# 1 KiB bodies and the six sites' page sizes (119 KB on average), N requests at once after 1 s.
# Each variant is fetch-smol built with another `READ_BUFFER` (or hyper's adaptive buffer) in a
# scratch copy of the workspace; the repository's own files are not touched.
#
#   scripts/read_buffer.sh                      # N=2000, 3 runs each, prints the table
#   scripts/read_buffer.sh 2000 3 docs/results/read-buffer.txt
#
# Needs python3. Takes about 10 minutes: one build per variant, then 2 x 3 runs of each.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
runs=${2:-3}
out=${3:-/dev/stdout}
variants=(2048 4096 8192 16384 adaptive)

# shellcheck source=origin.sh
source scripts/origin.sh

scratch=$(mktemp -d)
trap 'kill $origin_pid 2>/dev/null || true; rm -rf "$scratch" "$origin_log"' EXIT
bins=$PWD/target/read-buffer/bins
mkdir -p "$bins"
for v in "${variants[@]}"; do
  rm -rf "$scratch/ws" && mkdir -p "$scratch/ws"
  git ls-files --cached --others --exclude-standard | tar -cf - -T - | tar -xf - -C "$scratch/ws"
  http=$scratch/ws/crates/fetch-smol/src/http.rs
  if [[ $v == adaptive ]]; then
    sed -i 's/\.read_buf_exact_size(Some(READ_BUFFER))/.read_buf_exact_size(None)/' "$http"
  else
    sed -i "s/^const READ_BUFFER: usize = .*;/const READ_BUFFER: usize = $v;/" "$http"
  fi
  grep -q "read_buf_exact_size(None)\|READ_BUFFER: usize = $v;" "$http" || {
    echo "cannot set the read buffer to $v in $http" >&2
    exit 1
  }
  # One target directory for every variant: only fetch-smol is rebuilt each time.
  CARGO_TARGET_DIR=$scratch/target cargo build --release --quiet -p fetch-smol \
    --manifest-path "$scratch/ws/Cargo.toml"
  cp "$scratch/target/release/fetch-smol" "$bins/fetch-smol-$v"
done

python3 - "$url" "$n" "$runs" "$bins" "${variants[@]}" >"$out" <<'PY'
import json, os, statistics, subprocess, sys, time
url, n, runs, bins, variants = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
workloads = [("1 KiB bodies", ["--size", "1024"]), ("the six sites' sizes", [])]

def tw():
    # Wait for the previous run's TIME_WAIT ports to drain below a quarter of the range.
    for _ in range(140):
        tcp = next(l for l in open("/proc/net/sockstat") if l.startswith("TCP:")).split()
        if int(tcp[tcp.index("tw") + 1]) < 7000:
            return
        time.sleep(0.5)

rows = {}
for r in range(runs):
    for v in variants:
        for name, extra in workloads:
            tw()
            cmd = [f"{bins}/fetch-smol-{v}", "--origin", url, "--count", n, "--delay", "1", "--json", *extra]
            j = json.loads(subprocess.run(cmd, capture_output=True, text=True).stdout)
            assert j["failed"] == 0, (v, name, j["failed"])
            rows.setdefault((v, name), []).append(
                (j["wall_s"], j["user_s"] + j["sys_s"], j["peak_rss_bytes"] / 2**20))

machine = open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": \t")
print(f"fetch-smol's read buffer: N={n} requests at once, each answered after 1 s, median of {runs}")
print(f"machine: {machine}, {os.cpu_count()} cores; standalone origin on 127.0.0.1")
print(f"regenerate: scripts/read_buffer.sh {n} {runs} docs/results/read-buffer.txt")
print()
print(f"{'read buffer':<12} {'workload':<22} {'wall s':>7} {'CPU s':>7} {'peak RSS MiB':>13}")
for v in variants:
    for name, _ in workloads:
        wall, cpu, rss = (statistics.median(x) for x in zip(*rows[(v, name)]))
        label = f"{v} B" if v != "adaptive" else "adaptive"
        print(f"{label:<12} {name:<22} {wall:>7.2f} {cpu:>7.2f} {rss:>13.1f}")
PY
