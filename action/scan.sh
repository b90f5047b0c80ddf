#!/usr/bin/env bash
# Scans every model listed in MG_MODELS (one per line). Inputs arrive only through the environment (never
# interpolated into script text). Never exits non-zero for a gate failure: gate.sh decides at the end, so publishing
# steps (SARIF upload) still run. Writes outputs verdict, report-dir and sarif-count.
set -uo pipefail
mkdir -p "$MG_REPORT_DIR/sarif"
cli="$MG_TOOL_DIR/modelgate"
worst=pass
rank() { case "$1" in pass) echo 0;; warn) echo 1;; fail) echo 2;; *) echo 3;; esac; }
count=0
while IFS= read -r model; do
  model="${model#"${model%%[![:space:]]*}"}"; model="${model%"${model##*[![:space:]]}"}"
  [ -z "$model" ] && continue
  count=$((count + 1))
  name="$(printf '%s' "$model" | tr -c 'A-Za-z0-9._-' '_')"
  args=(scan "$model" --json "$MG_REPORT_DIR/$name.json" --sarif "$MG_REPORT_DIR/sarif/$name.sarif" --github)
  [ -n "${MG_POLICY:-}" ] && args+=(--policy "$MG_POLICY")
  "$cli" "${args[@]}"
  code=$?
  case "$code" in
    0) verdict=$(grep -o '"verdict": *"[a-z]*"' "$MG_REPORT_DIR/$name.json" 2>/dev/null | head -1 | sed 's/.*"\([a-z]*\)"$/\1/'); verdict=${verdict:-pass} ;;
    1) verdict=fail ;;
    *) verdict=error; echo "::error title=ModelGate::scan of $model ended with exit code $code (fails closed)" ;;
  esac
  if [ "$(rank "$verdict")" -gt "$(rank "$worst")" ]; then worst=$verdict; fi
done <<< "$MG_MODELS"
if [ "$count" -eq 0 ]; then
  echo "::error title=ModelGate::the models input lists no model; nothing was scanned (fails closed)"
  worst=error
fi
sarifs=$(find "$MG_REPORT_DIR/sarif" -name '*.sarif' | wc -l)
{
  echo "verdict=$worst"
  echo "report-dir=$MG_REPORT_DIR"
  echo "sarif-count=$sarifs"
} >> "$GITHUB_OUTPUT"
exit 0
