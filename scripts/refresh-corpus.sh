#!/usr/bin/env bash
# Copies the shared corpus and the official AIB schemas into this repository, byte for byte, and
# rewrites the corpus manifest. The tests read only these committed copies, so every machine tests the
# same files; run this when ../shared changes, then review the diff (and the corpus tests) before committing.
# Usage: bash scripts/refresh-corpus.sh [shared-dir]   (default: ../shared next to this checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${1:-../shared}"
[ -f "$shared/corpus/INDEX.md" ] || { echo "refresh-corpus: $shared/corpus/INDEX.md not found" >&2; exit 2; }
rm -rf test/corpus/snapshot
cp -r "$shared/corpus" test/corpus/snapshot
(cd test/corpus/snapshot && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum) >test/corpus/snapshot.sha256
cp "$shared"/reference/aib-schemas/arm-schema-*.json "$shared"/reference/aib-schemas/SOURCES.md test/fixtures/aib-schemas/
node scripts/generate-validate-schemas.mjs test/fixtures/aib-schemas schema/aib
git status --short test/corpus test/fixtures/aib-schemas schema/aib
