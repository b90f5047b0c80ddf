#!/usr/bin/env bash
# ModelGate's two entry points, each doing all set-up on a fresh Linux x64 machine:
#   ./build.sh demo   scan the shipped canary models and show the verdicts
#   ./build.sh test   build and run every test, then print "N passed, N failed"
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

config=${CONFIGURATION:-Release}
./eng/setup.sh

case "${1:-}" in
  demo)
    dotnet build src/ModelGate.Cli -c "$config" -v quiet -nologo
    ./eng/demo.sh "$config"
    ;;
  test)
    rm -rf artifacts/test-results
    dotnet build ModelGate.sln -c "$config" -v quiet -nologo
    status=0
    dotnet test ModelGate.sln -c "$config" --no-build \
      -p:ModelGateTrx=true \
      --results-directory artifacts/test-results || status=$?
    ./eng/trx-summary.sh artifacts/test-results
    exit $status
    ;;
  *)
    echo "usage: ./build.sh demo|test" >&2
    exit 4
    ;;
esac
