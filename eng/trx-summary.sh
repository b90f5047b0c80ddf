#!/usr/bin/env bash
# Sums the counters of every TRX file under $1 and prints the plain line CI reads: "N passed, N failed, N skipped".
set -euo pipefail
dir=${1:?results directory}
passed=0; failed=0; skipped=0; files=0
while IFS= read -r -d '' trx; do
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted) + $(get inconclusive)))
done < <(find "$dir" -name '*.trx' -print0 2>/dev/null)
if [ "$files" -eq 0 ]; then
  echo "no test results found under $dir" >&2
  echo "0 passed, 1 failed"
  exit 0
fi
echo "$passed passed, $failed failed, $skipped skipped"
