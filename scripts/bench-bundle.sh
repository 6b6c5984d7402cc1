#!/usr/bin/env bash
# Benchmark: `aibgen bundle` against GNU tar + gzip at the same level, on the same tree, in the same run.
# Tree: ~45 MiB = about 3,000 text files of 1-20 KiB and 20 random binaries of 0.2-1 MiB.
# Targets: time at most 1.1x GNU tar + gzip; size at most 1.0x; memory flat (peak RSS printed).
# Usage: npm run build && bash scripts/bench-bundle.sh [work-dir]   (LEVEL=6 by default, RUNS=3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/bench-common.sh
. "$here/bench-common.sh"
[ -f "$here/../dist/cli.js" ] || { echo "run npm run build first" >&2; exit 2; }

work=${1:-$(mktemp -d /tmp/aibgen-bench-bundle.XXXXXX)}
level=${LEVEL:-6}
runs=${RUNS:-3}
tree="$work/tree"
if [ ! -d "$tree" ]; then
  echo "creating the tree in $tree ..." >&2
  node - "$tree" <<'JS'
const fs = require('fs'); const path = require('path');
const root = process.argv[2];
let seed = 42;
// mulberry32: a small seeded PRNG, so every run builds the same tree.
const rand = () => { seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const words = 'the a of to and in is it you that he was for on are with as I his they be at one have this from or had by hot word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find any new work part take get place made live where after back little only round man year came show every good me give our under name very through just form sentence great think say help low line differ turn cause much mean before move right boy old too same tell does set three want air well also play small end put home read hand port large spell add even land here must big high such follow act why ask men change went light kind off need house picture try us again animal point mother world near build self earth father install configure service package nginx systemctl enable restart echo sudo apt-get update upgrade curl wget tar mkdir chmod chown export path user group file folder script server client request response'.split(' ');
let total = 0;
for (let i = 0; i < 3000; i++) {
  const dir = path.join(root, `mod${String(i % 40).padStart(2, '0')}`, `part${i % 6}`);
  fs.mkdirSync(dir, { recursive: true });
  const size = 1024 + Math.floor(rand() * 19 * 1024);
  let text = '';
  while (text.length < size) {
    const n = 3 + Math.floor(rand() * 10);
    const line = [];
    for (let k = 0; k < n; k++) line.push(words[Math.floor(rand() * words.length)]);
    text += `${'  '.repeat(Math.floor(rand() * 4))}${line.join(' ')}\n`;
  }
  fs.writeFileSync(path.join(dir, `file${String(i).padStart(4, '0')}.txt`), text.slice(0, size));
  total += size;
}
fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
for (let i = 0; i < 20; i++) {
  const size = 200 * 1024 + Math.floor(rand() * 824 * 1024);
  const blob = Buffer.alloc(size + 4);
  for (let k = 0; k < size; k += 4) blob.writeUInt32LE(Math.floor(rand() * 4294967296), k);
  fs.writeFileSync(path.join(root, 'bin', `blob${String(i).padStart(2, '0')}.bin`), blob.subarray(0, size));
  total += size;
}
console.error(`tree: ${(total / 1048576).toFixed(1)} MiB`);
JS
fi
find "$tree" -type f -exec cat {} + >/dev/null # warm the page cache

gnu() { (cd "$tree" && tar --sort=name --mtime=@315532800 --owner=0 --group=0 --numeric-owner -cf - . | gzip -n "-$level" >"$work/gnu.tar.gz"); }
ours() { node "$here/../dist/cli.js" bundle "$tree" -o "$work/aibgen.tar.gz" --level "$level" --max-size 1GB; }
ours_zip() { node "$here/../dist/cli.js" bundle "$tree" -o "$work/aibgen.zip" --level "$level" --max-size 1GB; }
infozip() { rm -f "$work/infozip.zip"; (cd "$tree" && zip -q -X -r "-$level" "$work/infozip.zip" .); }

echo "== $(du -sb "$tree" | cut -f1) bytes in $(find "$tree" -type f | wc -l) files, level $level, best of $runs"
t_gnu=$(best_of "$runs" gnu)
t_ours=$(best_of "$runs" ours)
t_zip=$(best_of "$runs" ours_zip)
s_gnu=$(stat -c %s "$work/gnu.tar.gz")
s_ours=$(stat -c %s "$work/aibgen.tar.gz")
s_zip=$(stat -c %s "$work/aibgen.zip")
echo "GNU tar | gzip -$level   ${t_gnu}s  ${s_gnu} bytes"
echo "aibgen bundle tar.gz  ${t_ours}s  ${s_ours} bytes"
echo "aibgen bundle zip     ${t_zip}s  ${s_zip} bytes"
echo "time ratio (tar.gz):  $(ratio "$t_ours" "$t_gnu")x (target <= 1.1)"
echo "size ratio (tar.gz):  $(ratio3 "$s_ours" "$s_gnu")x (target <= 1.0)"
if command -v zip >/dev/null 2>&1; then
  t_info=$(best_of "$runs" infozip)
  s_info=$(stat -c %s "$work/infozip.zip")
  echo "Info-ZIP zip -$level -X     ${t_info}s  ${s_info} bytes"
  echo "zip vs Info-ZIP:      time $(ratio "$t_zip" "$t_info")x, size $(ratio3 "$s_zip" "$s_info")x"
fi
rss=$( { /usr/bin/time -f '%M' node "$here/../dist/cli.js" bundle "$tree" -o "$work/aibgen.tar.gz" --level "$level" --max-size 1GB >/dev/null; } 2>&1 | tail -1)
echo "peak RSS of aibgen bundle: ${rss} KB (the input is $(( $(du -sb "$tree" | cut -f1) / 1024 )) KB)"
cmp -s <(tar -xzOf "$work/aibgen.tar.gz" --wildcards '*.txt' | sha256sum) <(tar -xzOf "$work/gnu.tar.gz" --wildcards '*.txt' | sha256sum) && echo "same content as GNU tar: yes"
