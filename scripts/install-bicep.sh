#!/usr/bin/env bash
# Installs the Bicep CLI 0.49.2 for aibgen's tests from NuGet (the package
# Azure.Bicep.CommandLine.linux-x64, whose tools/bicep is the self-contained compiler) into
# .cache/nuget, and links it as .cache/bin/bicep. Put .cache/bin on PATH (.ci/run does), or point
# AIBGEN_BICEP at it. Needs the .NET SDK (dotnet restore). Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=0.49.2
binary="$root/.cache/nuget/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [ ! -x "$binary" ]; then
  command -v dotnet >/dev/null 2>&1 || { echo "install-bicep: dotnet (the .NET SDK) is needed to restore the Bicep CLI from NuGet" >&2; exit 2; }
  dotnet restore "$root/scripts/bicep-cli/bicep-cli.csproj" --packages "$root/.cache/nuget" -p:BaseIntermediateOutputPath="$root/.cache/bicep-obj/" >/dev/null
  chmod +x "$binary"
fi
mkdir -p "$root/.cache/bin"
ln -sf "$binary" "$root/.cache/bin/bicep"
"$root/.cache/bin/bicep" --version
