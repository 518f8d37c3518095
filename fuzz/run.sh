#!/usr/bin/env bash
# make fuzz: builds the libFuzzer harnesses with clang (build/fuzz, ASan + UBSan) and runs each for
# FUZZ_SECONDS (default 60) over a copy of its seed corpus, one after another, one job each.
# FUZZ_HARNESSES picks some ("scenario trace"); FUZZ_OPTIONS adds libFuzzer flags (the campaign
# of fuzz/README.md used "-fork=1 -ignore_crashes=1" to go on after a crash). Exits 1 when a harness found a crash, a timeout or
# a leak; the input is kept as build/fuzz/runs/<time>/<harness>/crash-... (see fuzz/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
harnesses=${FUZZ_HARNESSES:-"http_request chat_body scenario sweep_grid trace"}
build="$here/build/fuzz"

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLLMSIM_FUZZ=ON -DLLMSIM_WERROR=ON \
  -DLLMSIM_BUILD_TESTS=OFF -DLLMSIM_BUILD_BENCH=OFF >/dev/null
targets=()
for h in $harnesses; do targets+=("fuzz_$h"); done
cmake --build "$build" -j "${JOBS:-2}" --target "${targets[@]}"

runs="$build/runs/$(date -u +%Y%m%dT%H%M%SZ)"
failed=()
for h in $harnesses; do
  dir="$runs/$h"
  mkdir -p "$dir/corpus"
  cp "$here/fuzz/corpus/$h/"* "$dir/corpus/"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$dir/")
  if [[ -f "$here/fuzz/$h.dict" ]]; then options+=(-dict="$here/fuzz/$h.dict"); fi
  # shellcheck disable=SC2206  # FUZZ_OPTIONS is a list of flags
  options+=(${FUZZ_OPTIONS:-})
  echo "fuzz: $h for ${seconds}s (log $dir/log)"
  if "$build/fuzz/fuzz_$h" "${options[@]}" "$dir/corpus" >"$dir/log" 2>&1; then
    status=ok
  else
    status=FAILED
  fi
  found=$(ls "$dir" | grep -E '^(crash|timeout|leak|oom|slow-unit)-' | tr '\n' ' ' || true)
  if [[ -n "$found" ]]; then status=FAILED; fi
  if [[ $status == FAILED ]]; then failed+=("$h"); fi
  # Executions: the final stats, or in fork mode the last "#N: cov: ..." line.
  runs_done=$(awk '/stat::number_of_executed_units/ {n=$2} /^#[0-9]+: cov/ {f=substr($1, 2)+0}
                   END {print n ? n : f}' "$dir/log")
  echo "fuzz: $h $status, ${runs_done:-?} executions, $(ls "$dir/corpus" | wc -l) corpus files $found"
done
if ((${#failed[@]})); then
  echo "fuzz: found a problem in ${failed[*]}; inputs and logs under $runs" >&2
  exit 1
fi
