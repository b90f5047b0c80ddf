#!/usr/bin/env bash
# The last step: fail the job on the verdict. A missing verdict means the scan step did not finish: fail closed.
set -euo pipefail
verdict="${MG_VERDICT:-}"
case "$verdict" in
  pass) exit 0 ;;
  warn) [ "${MG_FAIL_ON:-fail}" = "warn" ] && { echo "::error title=ModelGate::verdict WARN and fail-on is warn"; exit 1; }; exit 0 ;;
  fail) [ "${MG_FAIL_ON:-fail}" = "never" ] && { echo "::warning title=ModelGate::verdict FAIL ignored (fail-on: never)"; exit 0; }
        echo "::error title=ModelGate::verdict FAIL: a model did not pass the gate"; exit 1 ;;
  *) echo "::error title=ModelGate::verdict '${verdict:-none}': the scan did not complete; the gate fails closed"; exit 2 ;;
esac
