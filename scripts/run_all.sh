#!/usr/bin/env bash
# Reproduces the whole comparison on this machine: builds every binary once in release mode,
# runs every fetch-* model against a standalone origin (`bench clients`, crates/bench), then
# draws the run's report and charts from what it wrote (`docgen report`, crates/docgen).
#
#   scripts/run_all.sh              # the full comparison (about an hour on 2 cores)
#   scripts/run_all.sh --quick      # the pipeline end to end in seconds
#   scripts/run_all.sh --talks      # only the talks' two workloads, with their timelines
#   scripts/run_all.sh --beside-python   # the talks' Python programs beside their Rust models
#   scripts/run_all.sh --help       # every option
#
# Where scripts/python.sh has made python/.venv, the talks' own programs in Python run beside the
# models on their own talk's workloads; without it they are left out, and the run says so.
# Results go to results/<date-time>/ (or --out DIR): report.md, the charts, runs.csv,
# summary.csv, machine.json, settings.json and every run's JSON under raw/.
set -euo pipefail
cd "$(dirname "$0")/.."

out=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --out) out="${args[i + 1]:-}" ;;
    --out=*) out="${args[i]#--out=}" ;;
    -h | --help)
      cargo run --quiet --release -p bench -- clients --help
      exit 0
      ;;
  esac
done
if [[ -z "$out" ]]; then
  out="results/$(date -u +%Y-%m-%dT%H-%M-%SZ)"
  args+=(--out "$out")
fi

cargo build --release --workspace --bins --quiet
target/release/bench clients --bin-dir target/release "${args[@]}"
target/release/docgen report "$out"
