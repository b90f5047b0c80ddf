#!/usr/bin/env bash
# The action's self-test: scans the backdoored canary shipped with this action (samples/canaries/backdoored in the
# action's own checkout, the release that pins the tool version) with the installed modelgate, and fails unless the gate
# catches it: exit 1 and an unsuppressed MG1001 finding in the JSON report. A gate that cannot catch a planted backdoor
# on this runner protects nothing, so the job stops here, before the real scan. Inputs arrive only through the environment:
#   MG_TOOL_DIR    folder holding the installed modelgate (required)
#   MG_CANARY      canary to scan (default: $GITHUB_ACTION_PATH/../samples/canaries/backdoored)
#   MG_REPORT_DIR  where self-test.json goes (default: $RUNNER_TEMP, else /tmp)
set -uo pipefail
title="title=ModelGate self-test"
canary="${MG_CANARY:-${GITHUB_ACTION_PATH:-.}/../samples/canaries/backdoored}"
cli="${MG_TOOL_DIR:?MG_TOOL_DIR is not set}/modelgate"
reports="${MG_REPORT_DIR:-${RUNNER_TEMP:-/tmp}}"
if [ ! -f "$canary/config.json" ]; then
  echo "::error $title::no canary model at $canary (fails closed)"
  exit 2
fi
mkdir -p "$reports"
report="$reports/self-test.json"
rm -f "$report"

# From an empty folder, so the caller's ./modelgate.json cannot change what is proven (the built-in policy must catch
# it), and with GITHUB_ACTIONS=false, so the canary's FAIL is not published as this repository's check run.
work=$(mktemp -d)
(cd "$work" && GITHUB_ACTIONS=false "$cli" scan "$canary" --json "$report")
code=$?
rm -rf "$work"

caught=no
if [ "$code" -eq 1 ] && [ -f "$report" ]; then
  if command -v jq >/dev/null 2>&1; then
    jq -e '[.findings[]? | select(.ruleId == "MG1001" and .suppressed == null)] | length > 0' "$report" >/dev/null && caught=yes
  else
    grep -q '"ruleId": *"MG1001"' "$report" && caught=yes
  fi
fi
if [ "$caught" = yes ]; then
  echo "::notice $title::the backdoored canary was caught (exit 1, MG1001)"
  exit 0
fi
echo "::error $title::the canary at $canary was NOT caught (exit $code, no MG1001 finding): the gate on this runner cannot be trusted"
exit 1
