#!/usr/bin/env bash
# Reproduces the whole comparison on this machine: builds every binary once in release mode,
# then runs every fetch-* model against a standalone origin (see crates/compare).
#
#   scripts/run_all.sh              # the full comparison (under an hour on 2 cores)
#   scripts/run_all.sh --quick      # the pipeline end to end in seconds
#   scripts/run_all.sh --help       # every option
#
# Results go to results/<date-time>/ (or --out DIR): report.md, charts, CSV and raw JSON.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --workspace --bins --quiet
exec target/release/compare --bin-dir target/release "$@"
