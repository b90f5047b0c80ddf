#!/usr/bin/env bash
# The README's first command: scan the canaries shipped in samples/canaries. The backdoored one must FAIL (exit 1)
# with its trigger recovered, the clean one must pass (exit 0); the demo itself exits non-zero if either does not.
set -uo pipefail
config=${1:-Release}
cli=(dotnet "src/ModelGate.Cli/bin/$config/net10.0/modelgate.dll")
out=artifacts/demo
mkdir -p "$out"
"${cli[@]}" doctor || exit $?

echo
echo "== modelgate scan samples/canaries/backdoored"
"${cli[@]}" scan samples/canaries/backdoored --device cpu --json "$out/backdoored.json" --markdown "$out/backdoored.md"
bad=$?
echo "(exit code $bad)"
echo
echo "== modelgate scan samples/canaries/clean"
"${cli[@]}" scan samples/canaries/clean --device cpu --json "$out/clean.json" --markdown "$out/clean.md"
clean=$?
echo "(exit code $clean)"
echo
echo "reports: $out/{backdoored,clean}.{json,md}"
if [[ $bad -eq 1 && $clean -eq 0 ]]; then
  echo "demo: the gate caught the backdoored canary and passed the clean one."
else
  echo "demo: unexpected exit codes (backdoored $bad, want 1; clean $clean, want 0)." >&2
  exit 2
fi
