#!/usr/bin/env bash
# ModelGate's two entry points, each doing all set-up on a fresh Linux x64 machine:
#   ./build.sh demo   scan the shipped canary models and show the verdicts
#   ./build.sh test   build and run every test, then print "N passed, N failed"
#   ./build.sh bench engine          the engine's throughput as ratios to this machine's matmul peak
#   ./build.sh bench zoo DIR [...]   the detection benchmark on a canary set (see README, "Benchmarks")
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
  bench)
    # Benchmarks measure, they do not assert: a separate console project that `test` never runs.
    shift
    mode=${1:-engine}
    dotnet build tests/ModelGate.Benchmarks -c "$config" -v quiet -nologo
    bench=(dotnet "tests/ModelGate.Benchmarks/bin/$config/net10.0/ModelGate.Benchmarks.dll")
    case "$mode" in
      engine) exec "${bench[@]}" "$@" ;;
      zoo)
        # The zoo is scanned by the real CLI, out of process; pass --cli yourself to scan with another build.
        if [[ " $* " != *" --cli "* ]]; then
          dotnet build src/ModelGate.Cli -c "$config" -v quiet -nologo
          set -- "$@" --cli "src/ModelGate.Cli/bin/$config/net10.0/modelgate.dll"
        fi
        exec "${bench[@]}" "$@"
        ;;
      *)
        echo "usage: ./build.sh bench [engine [--threads N] | zoo DIR [--out results.json] [--seed N] [--cli modelgate.dll]]" >&2
        exit 4
        ;;
    esac
    ;;
  *)
    echo "usage: ./build.sh demo|test|bench" >&2
    exit 4
    ;;
esac
