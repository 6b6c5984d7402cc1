#!/usr/bin/env bash
# Runs one aibgen command in the job's working folder: AIBGEN_COMMAND is the command line after
# "aibgen" (split on whitespace; no quoting, no shell expansion: it is never evaluated). With
# AIBGEN_SARIF set, the command's standard output is written to that file (for code scanning:
# "validate dist/template.json --format sarif" or "lint . --format sarif"). Exits with aibgen's code.
set -euo pipefail
set -f
: "${AIBGEN_COMMAND:?set AIBGEN_COMMAND to the aibgen command to run, e.g. build --check}"
read -r -a args <<< "$AIBGEN_COMMAND"
aibgen=${AIBGEN_BIN:-aibgen}
echo "+ aibgen ${args[*]}" >&2
if [ -n "${AIBGEN_SARIF:-}" ]; then
  status=0
  "$aibgen" "${args[@]}" > "$AIBGEN_SARIF" || status=$?
  echo "aibgen: SARIF written to $AIBGEN_SARIF" >&2
  exit "$status"
fi
exec "$aibgen" "${args[@]}"
