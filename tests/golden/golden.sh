#!/usr/bin/env bash
# Golden outputs of every scenario in data/scenarios/ and every grid in data/sweeps/.
#   golden.sh check LLMSIM scenario NAME   : run NAME's scenario and compare with tests/golden/
#   golden.sh check LLMSIM sweep NAME      : the same for a sweep grid
#   golden.sh regen LLMSIM                 : rewrite every golden file (scripts/regen-golden.sh)
# A scenario's golden files: reports/NAME.txt (the printed report and the exit status, 1 when a
# threshold failed), reports/NAME.json (--json) and one line of traces.sha256 (the --record trace,
# kept as a digest: erlang-c's trace alone is 80 MB). A grid's: sweeps/NAME.csv (--jobs 2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# Writes NAME's outputs into folder $3 (reports/, sweeps/, traces.sha256.d/).
produce_scenario() {
  local llmsim=$1 name=$2 out=$3 status=0
  mkdir -p "$out/reports" "$out/traces.sha256.d"
  # From the tree's root with a relative path: no report may name the clone's folder.
  (cd "$root" && "$llmsim" run "data/scenarios/$name.json" --json "$out/reports/$name.json" \
    --record "$out/$name.trace.csv" > "$out/reports/$name.txt") || status=$?
  if ((status > 1)); then echo "golden: llmsim run $name exited $status" >&2; return 1; fi
  echo "exit status $status" >> "$out/reports/$name.txt"
  echo "$(sha256sum < "$out/$name.trace.csv" | cut -d' ' -f1)  $name" > "$out/traces.sha256.d/$name"
  rm -f "$out/$name.trace.csv"
}

produce_sweep() {
  local llmsim=$1 name=$2 out=$3
  mkdir -p "$out/sweeps"
  (cd "$root" && "$llmsim" sweep "data/sweeps/$name.json" --jobs 2 --csv "$out/sweeps/$name.csv" 2>/dev/null)
}

# Compares one produced file with its golden twin; prints a unified diff when they differ.
same() {
  if ! cmp -s "$1" "$2"; then
    echo "golden: $2 differs from this build's output (scripts/regen-golden.sh rewrites it on purpose)"
    diff -u "$2" "$1" | head -40 || true
    return 1
  fi
}

case "${1:-}" in
  check)
    llmsim=$2 kind=$3 name=$4
    out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
    if [[ $kind == scenario ]]; then
      produce_scenario "$llmsim" "$name" "$out"
      ok=0
      same "$out/reports/$name.txt" "$here/reports/$name.txt" || ok=1
      same "$out/reports/$name.json" "$here/reports/$name.json" || ok=1
      grep -qxF "$(cat "$out/traces.sha256.d/$name")" "$here/traces.sha256" ||
        { echo "golden: the trace of $name differs: $(cat "$out/traces.sha256.d/$name")"; ok=1; }
      exit $ok
    else
      produce_sweep "$llmsim" "$name" "$out"
      same "$out/sweeps/$name.csv" "$here/sweeps/$name.csv"
    fi ;;
  regen)
    llmsim=$2
    rm -rf "$here/reports" "$here/sweeps" "$here/traces.sha256.d"
    for f in "$root"/data/scenarios/*.json; do produce_scenario "$llmsim" "$(basename "$f" .json)" "$here"; done
    cat "$here"/traces.sha256.d/* > "$here/traces.sha256"; rm -rf "$here/traces.sha256.d"
    for f in "$root"/data/sweeps/*.json; do produce_sweep "$llmsim" "$(basename "$f" .json)" "$here"; done ;;
  *) echo "usage: golden.sh check LLMSIM scenario|sweep NAME | golden.sh regen LLMSIM" >&2; exit 2 ;;
esac
