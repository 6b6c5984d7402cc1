#!/usr/bin/env bash
# Fetches tree-sitter-bash's WebAssembly build from the npm registry into vendor/tree-sitter-bash,
# and checks it is the pinned file. Usage: bash scripts/vendor-tree-sitter-bash.sh [version]
set -euo pipefail
version="${1:-0.25.1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "tree-sitter-bash@$version" >/dev/null && tar xzf "tree-sitter-bash-$version.tgz")
cp "$work/package/tree-sitter-bash.wasm" "$work/package/LICENSE" "$root/vendor/tree-sitter-bash/"
sha256sum "$root/vendor/tree-sitter-bash/tree-sitter-bash.wasm"
echo "update the sha256 in vendor/tree-sitter-bash/README.md and test/lint/vendor.test.ts if the version changed"
