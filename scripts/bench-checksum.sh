#!/usr/bin/env bash
# Benchmark: `aibgen checksum` against sha256sum and openssl on the same files, in the same run.
#   (a) one 1 GiB file: aibgen, sha256sum, openssl dgst -sha256   target: aibgen >= 0.85x openssl's throughput
#   (b) 5,000 files of 1-8 KiB: aibgen vs xargs sha256sum          target: aibgen <= 1.5x the time (node start-up included)
# Usage: npm run build && bash scripts/bench-checksum.sh [work-dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/bench-common.sh
. "$here/bench-common.sh"
[ -f "$here/../dist/cli.js" ] || { echo "run npm run build first" >&2; exit 2; }

work=${1:-$(mktemp -d /tmp/aibgen-bench-checksum.XXXXXX)}
mkdir -p "$work"
runs=${RUNS:-3}

if [ ! -f "$work/big.bin" ]; then
  echo "creating a 1 GiB file in $work ..." >&2
  head -c 1073741824 /dev/urandom >"$work/big.bin"
fi
if [ ! -d "$work/small" ]; then
  echo "creating 5,000 files of 1-8 KiB ..." >&2
  mkdir -p "$work/small"
  node -e '
    const fs = require("fs"); const crypto = require("crypto");
    for (let i = 0; i < 5000; i++) fs.writeFileSync(`${process.argv[1]}/f${String(i).padStart(5, "0")}.txt`, crypto.randomBytes(1024 + (i * 7919) % 7169));
  ' "$work/small"
fi
cat "$work/big.bin" >/dev/null # warm the page cache so every tool reads from memory

echo "== (a) 1 GiB file, best of $runs"
t_aib=$(best_of "$runs" aibgen_cli checksum "$work/big.bin")
t_sha=$(best_of "$runs" sha256sum "$work/big.bin")
t_ssl=$(best_of "$runs" openssl dgst -sha256 "$work/big.bin")
echo "aibgen checksum   ${t_aib}s"
echo "sha256sum         ${t_sha}s"
echo "openssl dgst      ${t_ssl}s"
echo "throughput vs openssl:   $(ratio "$t_ssl" "$t_aib")x (target >= 0.85)"
echo "throughput vs sha256sum: $(ratio "$t_sha" "$t_aib")x"

echo "== (b) 5,000 small files, best of $runs"
cd "$work/small"
small_aib() { find . -name '*.txt' -print0 | sort -z | xargs -0 node "$here/../dist/cli.js" checksum; }
small_sha() { find . -name '*.txt' -print0 | sort -z | xargs -0 sha256sum; }
t_aib_small=$(best_of "$runs" small_aib)
t_sha_small=$(best_of "$runs" small_sha)
echo "aibgen checksum        ${t_aib_small}s"
echo "xargs sha256sum        ${t_sha_small}s"
echo "time vs sha256sum:     $(ratio "$t_aib_small" "$t_sha_small")x (target <= 1.5)"
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  # Node reads the whole CA bundle named there at every start (~70 ms here), before any of our code runs.
  small_aib_plain() { find . -name '*.txt' -print0 | sort -z | env -u NODE_EXTRA_CA_CERTS xargs -0 node "$here/../dist/cli.js" checksum; }
  t_plain=$(best_of "$runs" small_aib_plain)
  echo "  without NODE_EXTRA_CA_CERTS (set on this machine): ${t_plain}s, $(ratio "$t_plain" "$t_sha_small")x"
fi
[ "$(small_aib | sha256sum)" = "$(small_sha | sha256sum)" ] && echo "outputs identical: yes"
