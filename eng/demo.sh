#!/usr/bin/env bash
# The README's first command. Until the shipped canaries land (issue 4), the main job is: check the engine,
# convert the real pretrained stories260K (llama2.c) to Hugging Face layout, load it through the Hugging Face
# path, show its summary and let it tell a story. Without ../shared (a user's clone) it stops after the check.
set -euo pipefail
config=${1:-Release}
cli="dotnet src/ModelGate.Cli/bin/$config/net10.0/modelgate.dll"
$cli doctor
shared=${MODELGATE_SHARED_DIR:-../shared}
if [[ ! -f "$shared/models/stories260K/stories260K.bin" ]]; then
  echo "note: $shared/models/stories260K not found; skipping the model demo (set MODELGATE_SHARED_DIR)." >&2
  exit 0
fi
out=artifacts/demo/stories260K
rm -rf "$out"
$cli convert "$shared/models/stories260K/stories260K.bin" --tokenizer "$shared/models/stories260K/tok512.bin" --out "$out"
$cli inspect "$out"
$cli generate "$out" --prompt "" --max-new-tokens 200 --temperature 0
