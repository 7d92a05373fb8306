#!/usr/bin/env bash
# How far apart the model files are: for every pair of crates/fetch-*/src/main.rs, the number of
# code lines that differ (lines removed plus lines added, by `diff -w`, with comments and blank
# lines left out) in what the book shows of them: the `runtime` anchor (the client, the limit and
# the runtime set up) and the `work` anchor (the concurrency itself). The models share one
# skeleton, so what differs is the concurrency. The last column counts each model's code below
# main.rs (its http.rs, tests left out), so that a line moved out of sight shows there.
#
#   scripts/diff_models.sh                       # the matrix, as a Markdown table
#   scripts/diff_models.sh --check docs/MODELS.md
#
# --check also fails when a target is missed (any two async models, those whose main.rs spawns
# an `async move` block, differ in at most 20 lines; sync against threads in at most 25), when a
# main.rs lacks either anchor, when FILE no longer holds this very table between its
# diff-matrix markers, or when a sentence of FILE marked `<!-- lines: a/b ... -->` says another
# count than the matrix has for those pairs.
set -euo pipefail
cd "$(dirname "$0")/.."

# The models, in the order of the reports (the baseline first), from the catalogue; a fetch-*
# crate that is not in it yet comes last.
mapfile -t listed < <(cargo run --quiet -p catalogue -- --list models)
mapfile -t models < <(find crates -maxdepth 1 -name 'fetch-*' -printf '%f\n' | sort)
mapfile -t models < <(printf '%s\n' "${listed[@]}" "${models[@]}" | awk '!seen[$0]++')

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
code() { grep -v -E '^[[:space:]]*(//.*)?$' || true; }
for m in "${models[@]}"; do
  main="crates/$m/src/main.rs"
  for anchor in runtime work; do
    if ! grep -q "ANCHOR: $anchor\$" "$main"; then
      echo "$main has no \`// ANCHOR: $anchor\`" >&2
      exit 1
    fi
  done
  # Code only, inside the two anchors: no blank lines, no comment lines.
  awk '/ANCHOR: (runtime|work)$/ { on = 1; next } /ANCHOR_END: (runtime|work)$/ { on = 0 } on' "$main" \
    | code >"$tmp/$m"
  # Code below main.rs, up to each file's tests.
  find "crates/$m/src" -name '*.rs' ! -name main.rs -exec awk '/^#\[cfg\(test\)\]/ { nextfile } 1' {} + \
    | code | wc -l >"$tmp/$m.below"
done

differ() { diff -w "$tmp/$1" "$tmp/$2" | grep -c '^[<>]' || true; }
is_async() { grep -q 'async move' "$tmp/$1"; }

table() {
  printf '| |'
  for b in "${models[@]}"; do printf ' %s |' "${b#fetch-}"; done
  printf ' below main.rs |\n|---|'
  for _ in "${models[@]}"; do printf -- '---:|'; done
  printf -- '---:|\n'
  for a in "${models[@]}"; do
    printf '| **%s** |' "${a#fetch-}"
    for b in "${models[@]}"; do
      if [ "$a" = "$b" ]; then printf ' %s |' "$(wc -l <"$tmp/$a") lines"; else printf ' %s |' "$(differ "$a" "$b")"; fi
    done
    printf ' %s lines |\n' "$(cat "$tmp/$a.below")"
  done
}

if [ "${1:-}" != "--check" ]; then
  table
  exit 0
fi

file=${2:?usage: $0 --check FILE}
missed=0
for a in "${models[@]}"; do
  for b in "${models[@]}"; do
    [[ "$a" < "$b" ]] || continue
    n=$(differ "$a" "$b")
    limit=""
    if is_async "$a" && is_async "$b"; then limit=20; fi
    if [[ "$a $b" == "fetch-sync fetch-threads" || "$a $b" == "fetch-threads fetch-sync" ]]; then limit=25; fi
    if [ -n "$limit" ] && [ "$n" -gt "$limit" ]; then
      echo "$a and $b differ in $n code lines (the target is $limit at most)"
      missed=1
    fi
  done
done
# Each sentence under the matrix that says how far apart two models are is checked against it:
# a `<!-- lines: a/b c/d -->` line before it names the pairs, and its bold words must say their
# count ("N lines" where they agree, "MIN to MAX lines" where they do not).
while IFS= read -r marker; do
  pairs=${marker#<!-- lines: }
  pairs=${pairs% -->}
  counts=()
  for pair in $pairs; do
    counts+=("$(differ "fetch-${pair%/*}" "fetch-${pair#*/}")")
  done
  low=$(printf '%s\n' "${counts[@]}" | sort -n | head -1)
  high=$(printf '%s\n' "${counts[@]}" | sort -n | tail -1)
  if [ "$low" = "$high" ]; then said="$low lines"; else said="$low to $high lines"; fi
  bullet=$(grep -F -A1 -- "$marker" "$file" | tail -1)
  if [[ "$bullet" != *", $said:**"* ]]; then
    echo "$file says \"${bullet%%:\*\**}\" of $pairs, where the matrix has $said"
    missed=1
  fi
done < <(grep -E '^<!-- lines: .* -->$' "$file")
table >"$tmp/table.md"
awk '/<!-- diff-matrix -->/ { on = 1; next } /<!-- \/diff-matrix -->/ { on = 0 } on' "$file" >"$tmp/committed.md"
if ! diff -u "$tmp/committed.md" "$tmp/table.md"; then
  echo "$file does not hold the current matrix: run scripts/diff_models.sh and paste it between the markers"
  missed=1
fi
[ "$missed" = 0 ] && echo "the model files meet the diff targets, and $file shows the matrix"
exit "$missed"
