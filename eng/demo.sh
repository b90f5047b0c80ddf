#!/usr/bin/env bash
# The README's first command: check the engine on this machine.
set -euo pipefail
config=${1:-Release}
cli="dotnet src/ModelGate.Cli/bin/$config/net10.0/modelgate.dll"
$cli doctor
