#!/usr/bin/env bash
# Benchmark: CLI start-up against a bare Node.js start, measured in pairs (one of each, alternating,
# so load on the machine hits both alike); the median of the per-pair ratios is reported.
#   target: aibgen --version and aibgen --help at most 1.25x node -e 0.
#   also shown: a command that goes through commander and loads its modules (checksum of one small file),
#   and an unchanged build of the linux-nginx example (validate, lint from the cache, nothing written).
# Usage: npm run build && RUNS=41 bash scripts/bench-startup.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$here/../dist/cli.js" ] || { echo "run npm run build first" >&2; exit 2; }
runs=${RUNS:-41}
ns() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $((e - s)); }
example=$(mktemp -d /tmp/aibgen-bench-startup.XXXXXX)
cp -r "$here/../examples/linux-nginx" "$example/"
node "$here/../dist/cli.js" build "$example/linux-nginx" --quiet
sleep 2 # past the hash memo's racy window, as a rebuild a moment later is
for args in "--version" "--help" "checksum $here/../package.json" "build $example/linux-nginx --quiet"; do
  ratios=()
  bare_all=()
  ours_all=()
  for _ in $(seq "$runs"); do
    bare=$(ns node -e 0)
    read -r -a words <<<"$args"
    ours=$(ns node "$here/../dist/cli.js" "${words[@]}")
    bare_all+=("$bare")
    ours_all+=("$ours")
    ratios+=("$(awk -v a="$ours" -v b="$bare" 'BEGIN { printf "%.4f", a / b }')")
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  case $args in --*) target=' (target <= 1.25x)' ;; *) target='' ;; esac
  printf 'aibgen %-9s median %.1f ms, node -e 0 median %.1f ms, median of paired ratios %.2fx%s\n' \
    "${args%% *}" "$(awk -v n="$(median "${ours_all[@]}")" 'BEGIN { print n / 1e6 }')" "$(awk -v n="$(median "${bare_all[@]}")" 'BEGIN { print n / 1e6 }')" "$(median "${ratios[@]}")" "$target"
done
rm -rf "$example"
