#!/usr/bin/env bash
# Benchmark: CLI start-up against a bare Node.js start, measured in pairs (one of each, alternating,
# so load on the machine hits both alike); the median of the per-pair ratios is reported.
#   target: aibgen --version and aibgen --help at most 1.25x node -e 0.
# Usage: npm run build && RUNS=41 bash scripts/bench-startup.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$here/../dist/cli.js" ] || { echo "run npm run build first" >&2; exit 2; }
runs=${RUNS:-41}
ns() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $((e - s)); }
for args in "--version" "--help"; do
  ratios=()
  bare_all=()
  ours_all=()
  for _ in $(seq "$runs"); do
    bare=$(ns node -e 0)
    ours=$(ns node "$here/../dist/cli.js" $args)
    bare_all+=("$bare")
    ours_all+=("$ours")
    ratios+=("$(awk -v a="$ours" -v b="$bare" 'BEGIN { printf "%.4f", a / b }')")
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  printf 'aibgen %-9s median %.1f ms, node -e 0 median %.1f ms, median of paired ratios %.2fx (target <= 1.25x)\n' \
    "$args" "$(awk -v n="$(median "${ours_all[@]}")" 'BEGIN { print n / 1e6 }')" "$(awk -v n="$(median "${bare_all[@]}")" 'BEGIN { print n / 1e6 }')" "$(median "${ratios[@]}")"
done
