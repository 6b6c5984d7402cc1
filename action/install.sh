#!/usr/bin/env bash
# Installs aibgen from this checkout of its repository (the GitHub Action's own checkout, or the
# repository resource of an Azure Pipelines job): builds it, packs it as npm would publish it, and
# installs the tarball with production dependencies only into a prefix of its own, whose bin folder
# is put on the job's PATH. Plain bash, so it runs (and is tested) anywhere.
#
# Environment: AIBGEN_SOURCE (default: this script's repository), AIBGEN_PREFIX (default:
# $RUNNER_TEMP/aibgen or $AGENT_TEMPDIRECTORY/aibgen or a temporary folder).
set -euo pipefail
source_dir=${AIBGEN_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
prefix=${AIBGEN_PREFIX:-${RUNNER_TEMP:-${AGENT_TEMPDIRECTORY:-$(mktemp -d)}}/aibgen}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node --version >/dev/null || { echo "aibgen: Node.js 20 or later is needed (actions/setup-node, or the UseNode task)" >&2; exit 2; }
# A copy of the sources, so the checkout is left as it was.
tar -C "$source_dir" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./.cache -cf - . | tar -C "$work" -xf -
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error && npm pack --silent --ignore-scripts --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/aibgen-*.tgz)
mkdir -p "$prefix"
npm install --prefix "$prefix" --omit=dev --no-audit --no-fund --loglevel=error "$tarball"
bin="$prefix/node_modules/.bin"
"$bin/aibgen" --version >/dev/null

# Put aibgen on the job's PATH for the steps that follow.
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$bin" >> "$GITHUB_PATH"
elif [ "${TF_BUILD:-}" = "True" ]; then
  echo "##vso[task.prependpath]$bin"
fi
echo "aibgen $("$bin/aibgen" --version) installed in $prefix"
