# Sourced by the scripts that need a standalone origin: builds the release binaries, starts the
# origin on a free port, stops it when the script exits, and sets $url to its address.
cargo build --release --quiet --workspace --bins
origin_log=$(mktemp)
target/release/origin --port 0 >"$origin_log" 2>/dev/null &
origin_pid=$!
trap 'kill $origin_pid 2>/dev/null || true; rm -f "$origin_log"' EXIT
for _ in $(seq 50); do grep -q http "$origin_log" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$origin_log" | head -1)
