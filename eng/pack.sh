#!/usr/bin/env bash
# Packs the MSBuild task (ModelGate.MSBuild) and the dotnet tool (ModelGate pointer package + one package per RID)
# into a folder feed, then checks every package against nuget.org's 250,000,000-byte limit.
# Usage: eng/pack.sh [OUTPUT_DIR]   (default: artifacts/packages)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/artifacts/packages}"
mkdir -p "$out"
dotnet pack "$root/tasks/ModelGate.MSBuild/ModelGate.MSBuild.csproj" -c Release -o "$out" -nologo -v quiet
dotnet pack "$root/src/ModelGate.Cli/ModelGate.Cli.csproj" -c Release -o "$out" -nologo -v quiet
limit=250000000
status=0
for pkg in "$out"/*.nupkg; do
  size=$(stat -c %s "$pkg")
  if [ "$size" -ge "$limit" ]; then
    echo "pack: $(basename "$pkg") is $size bytes, over nuget.org's limit of $limit" >&2
    status=1
  else
    echo "pack: $(basename "$pkg") $size bytes"
  fi
done
exit $status
