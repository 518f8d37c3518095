#!/usr/bin/env bash
# Rewrites tests/golden/ from the release build's llmsim, on purpose: the diff shows in review what
# a change did to every scenario's report, trace digest and sweep output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake --build --preset release --target llmsim >/dev/null
bash "$root/tests/golden/golden.sh" regen "$root/build/release/llmsim"
git -C "$root" status --short tests/golden
