#!/usr/bin/env bash
# Where a model's memory per request goes: runs it under valgrind's massif (heap profiler)
# against a standalone origin with N requests in flight, and prints the heap at its peak by
# allocation site, divided by N.
#
#   scripts/where_memory_goes.sh fetch-smol 2000          # 1 KiB bodies
#   scripts/where_memory_goes.sh fetch-tokio 500 talk     # the six sites' page sizes
#
# Needs valgrind and python3. Heap bytes are allocated bytes: a buffer whose pages are never
# touched costs heap here but no resident memory, so these add up to more than the peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: $0 MODEL [N]}
n=${2:-2000}
size=${3:-1024}
out=${TMPDIR:-/tmp}/massif.$model.$n.$size
if [[ $size == talk ]]; then sized=(); else sized=(--size "$size"); fi

# shellcheck source=origin.sh
source scripts/origin.sh

valgrind --tool=massif --massif-out-file="$out" \
  "target/release/$model" --origin "$url" --count "$n" "${sized[@]}" --delay 2 --json \
  >/dev/null 2>"$out.log"
ms_print "$out" >"$out.txt"

python3 - "$out.txt" "$n" "$model" "$size" <<'PY'
import re, sys
text, n, model = open(sys.argv[1]).read(), int(sys.argv[2]), sys.argv[3]
peak = int(re.search(r"Detailed snapshots: \[[^\]]*?(\d+) \(peak\)", text).group(1))
lines = text.splitlines()
start = next(i for i, l in enumerate(lines) if re.match(rf"\s*{peak}\s+[\d,]+\s+[\d,]+", l))
total = int(lines[start].split()[2].replace(",", ""))
size = "the six sites' page sizes" if sys.argv[4] == "talk" else f"{sys.argv[4]}-byte bodies"
print(f"{model}, {size}: {n} requests in flight, heap at its peak {total / n / 1024:.1f} KiB per request")
entry, frames = None, []
def flush():
    if entry:
        where = " <- ".join(frames[:3]) or "(many places)"
        print(f"  {entry / n / 1024:6.2f} KiB  {where}")
for line in lines[start + 2:]:
    if re.match(r"\s*\d+\s+[\d,]+\s+[\d,]+", line) or line.startswith("---"):
        break
    top = re.match(r"->\s*[\d.]+% \(([\d,]+)B\)", line)
    if top:
        flush()
        entry, frames = int(top.group(1).replace(",", "")), []
        if "below massif's threshold" in line:
            frames = ["(small allocations in many places)"]
        continue
    site = re.search(r": (.+?) \(([\w/.-]+\.rs:\d+)\)", line)
    plumbing = ("UnknownInlinedFun", "{", "alloc", "box_new", "reserve", "with_capacity", "new<")
    if entry and site and len(frames) < 3 and "library/" not in line:
        name = site.group(1)
        if name.startswith(plumbing) and not frames:
            continue
        frame = f"{name[:70]} ({site.group(2)})"
        if frame not in frames:
            frames.append(frame)
flush()
PY
