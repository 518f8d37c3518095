#!/usr/bin/env bash
# Runs llmsim's speed benchmarks and prints the figures bench/README.md records, each with the
# machine's state just before it (1-minute load average, share of the cores busy over 2 s).
# Every figure is measured 3 times; the median counts.
#
# Usage: bash bench/run.sh [SECTION ...]   (no section: all of them, in this order)
#   machine      CPU, cores, memory, kernel, compiler
#   micro        Google Benchmark programs (engine, models, rate limiter)
#   startup      llmsim run of the GAJA scenario as a process, with hyperfine
#   ten-million  llmsim run of 10 million requests: wall time, peak memory, requests/s
#   burst        issue 13's burst (bench/scenarios/burst.json: N users at once, 100 connections,
#                500 RPM) at 10,000, 100,000 and 1,000,000 users beside SimPy 2.3.1
#                (bench/simpy_burst.py, Debian's python3-simpy) and the same model in plain Python
#                (bench/python_burst.py) at 10,000 and 100,000; wall time and peak memory, bytes
#                per waiting user; LLMSIM_BENCH_BURST_USERS adds counts (10000000 for the target)
#   server       mock server vs nginx (fixed body of the same size), wrk -t2 -c64 on loopback
#   timer        added timer error of the mock server with 1,000, 5,000 and 10,000 one-second
#                requests in flight (LLMSIM_BENCH_TIMER_CONNECTIONS="1000 5000 10000")
#   loadgen      llmsim load vs wrk against nginx: loadgen-closed (top speed beside wrk -t1, -t2)
#                and loadgen-open (highest constant rate achieved within 1%, trustworthy)
#   cost         CPU cost per request, which a busy machine hardly changes: instructions (callgrind)
#                of the server and of the load generator, and CPU time per request of llmsim
#                serve, nginx, llmsim load and wrk (not in the default list: callgrind is slow)
#   tools-cost   server cost of a chat with a 20-property strict tool (bench/wrk/chat_tools.lua)
#                over a plain chat: callgrind instructions and CPU time a request, and their ratios
#                (issue 14's bound: at most 2x; not in the default list)
#   soak         the mock server's resident memory under 10 minutes of mixed traffic (chat,
#                streams, a new random key each request, 4xx, 5xx; bench/wrk/mixed.lua): RSS after
#                the first minute vs at the end (not in the default list: it takes
#                LLMSIM_SOAK_SECONDS, 600)
# Environment: LLMSIM_BUILD (build/release); LLMSIM_BENCH_MAX_LOAD (1.5) and LLMSIM_BENCH_WAIT_S
# (600): before each figure, wait until the load is below that or the cores were 85% idle over
# 2 s, at most 120 s a figure and LLMSIM_BENCH_WAIT_S in all. LLMSIM_BENCH_OPEN_FROM and
# LLMSIM_BENCH_OPEN_STEP: where the open-loop sweep starts and its step (requests per second).
# Installs what it lacks (hyperfine, wrk, nginx-light, jq, curl, time, valgrind, python3-simpy) with
# apt-get, quietly.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true  # '&' in a ${x//a/b} replacement stays '&'
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${LLMSIM_BUILD:-build/release}
llmsim=$build/llmsim
max_load=${LLMSIM_BENCH_MAX_LOAD:-1.5}
wait_s=${LLMSIM_BENCH_WAIT_S:-600}
gaja=data/scenarios/gaja-2025-06-10.json
work=$(mktemp -d /tmp/llmsim-bench.XXXXXX)
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

install_missing() {
  local pkg missing=()
  for pkg in hyperfine wrk nginx-light jq curl time procps valgrind python3-simpy; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  echo "bench: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_missing() {
  local target missing=()
  if [[ " $* " == *" micro "* ]]; then  # only the micro section runs the benchmark programs
    for target in engine_bench models_bench rate_limiter_bench; do
      [[ -x $build/bench/$target ]] || missing+=("$target")
    done
  fi
  [[ -x $llmsim ]] || missing+=(llmsim)
  ((${#missing[@]})) || return 0
  [[ -f $build/build.ninja ]] || cmake --preset release >/dev/null
  cmake --build "$build" -j 2 --target "${missing[@]}"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# Prints the share (%) of all cores busy over the next 2 s, from /proc/stat.
cpu_busy() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  sleep 2
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
    busy = y[1] - x[1]; idle = y[2] - x[2]
    printf "%.0f", (busy + idle > 0) ? 100 * busy / (busy + idle) : 0 }'
}

# Waits until the 1-minute load average is below max_load, or the cores were at least 85% idle
# over 2 s (a benchmark just finished lifts the 1-minute average for a minute on its own).
# Waits at most 120 s a call and wait_s in all; then sets `conditions` to what it found.
waited_total=0
conditions=""
wait_quiet() {
  local waited=0 busy
  while true; do
    busy=$(cpu_busy)
    conditions="load $(load1), cpu busy ${busy}% over 2 s before"
    awk -v l="$(load1)" -v m="$max_load" -v b="$busy" 'BEGIN { exit !(l < m || b <= 15) }' && return 0
    if ((waited >= 120 || waited_total >= wait_s)); then
      conditions+=", measured anyway after waiting"
      return 0
    fi
    sleep 8
    waited=$((waited + 10))
    waited_total=$((waited_total + 10))
  done
}

# Prints the median of the numbers on standard input, one a line.
median() {
  sort -g | awk '{ v[NR] = $1 }
    END { print ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# Prints field NAME of the wrk-figures line that bench/wrk/chat.lua writes into FILE.
wrk_field() { grep -o "wrk-figures.*" "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

section_machine() {
  echo "== machine"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
  echo "memory: $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel: $(uname -sr)"
  echo "compiler: $(c++ --version | head -1)"
  echo "tools: $(hyperfine --version), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(nginx -v 2>&1 | cut -d' ' -f3)"
  echo "load now: $(cut -d' ' -f1-3 /proc/loadavg)"
}

section_micro() {
  echo "== micro: Google Benchmark, 3 repetitions, medians"
  local bench
  for bench in engine_bench models_bench rate_limiter_bench; do
    wait_quiet
    echo "-- $bench ($conditions)"
    "$build/bench/$bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>/dev/null |
      grep -E '_median' || true
  done
}

section_startup() {
  echo "== startup: llmsim run $gaja --quiet (hyperfine, 30 runs after 5 warm-ups, 3 times)"
  local i ms=()
  for i in 1 2 3; do
    wait_quiet
    hyperfine -N --warmup 5 --runs 30 --style none --export-json "$work/startup$i.json" \
      "$llmsim run $gaja --quiet" >/dev/null 2>"$work/hyperfine.err" ||
      { cat "$work/hyperfine.err" >&2; exit 1; }
    ms[i]=$(jq '.results[0].median * 1000' "$work/startup$i.json")
    printf 'run %d: median %.1f ms, mean %.1f ms, min %.1f ms (%s)\n' "$i" "${ms[i]}" \
      "$(jq '.results[0].mean * 1000' "$work/startup$i.json")" \
      "$(jq '.results[0].min * 1000' "$work/startup$i.json")" "$conditions"
  done
  printf 'startup median of 3: %.1f ms (target: well under 100 ms)\n' "$(printf '%s\n' "${ms[@]}" | median)"
}

section_ten_million() {
  echo "== ten-million: llmsim run bench/scenarios/ten-million.json --quiet (/usr/bin/time -v, 3 times)"
  local i walls=() rss=() rates=()
  for i in 1 2 3; do
    wait_quiet
    local wall cpu requests
    /usr/bin/time -v -o "$work/time$i.txt" "$llmsim" run bench/scenarios/ten-million.json --quiet \
      --json "$work/ten$i.json"
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time$i.txt" |
      awk -F: '{ s = 0; for (k = 1; k <= NF; ++k) s = s * 60 + $k; print s }')
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/time$i.txt")
    rss[i]=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$work/time$i.txt")
    requests=$(jq '.total.requests' "$work/ten$i.json")
    walls[i]=$wall
    rates[i]=$(awk -v n="$requests" -v w="$wall" 'BEGIN { printf "%.0f", n / w }')
    echo "run $i: $requests requests, wall $wall s, cpu $cpu s, max RSS ${rss[i]} MB," \
      "${rates[i]} requests/s ($conditions)"
  done
  echo "ten-million median of 3: wall $(printf '%s\n' "${walls[@]}" | median) s," \
    "max RSS $(printf '%s\n' "${rss[@]}" | median) MB, $(printf '%s\n' "${rates[@]}" | median) requests/s"
}

# Prints "WALL_S MAX_RSS_KB" of one run of a command (/usr/bin/time).
wall_and_rss() {
  /usr/bin/time -f '%e %M' -o "$work/burst-time.txt" "$@" >"$work/burst-out.txt"
  cat "$work/burst-time.txt"
}

# Prints the median wall time in seconds of RUNS runs of a command (hyperfine, no shell, one warm-up).
hyperfine_median() {
  local runs=$1
  shift
  hyperfine -N --warmup 1 --runs "$runs" --style none --export-json "$work/hyperfine.json" "$*" \
    >/dev/null 2>"$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; exit 1; }
  jq '.results[0].median' "$work/hyperfine.json"
}

section_burst() {
  local counts=(10000 100000 1000000 ${LLMSIM_BENCH_BURST_USERS:-}) n i
  echo "== burst: llmsim run bench/scenarios/burst.json --quiet at ${counts[*]} users beside SimPy" \
    "(3 times: wall the median of hyperfine's runs, 10 for llmsim and 3 for the Python peers; max RSS of one run)"
  local small_rss=""
  for n in "${counts[@]}"; do
    jq --argjson n "$n" '.workload.phases[0].users = $n' bench/scenarios/burst.json >"$work/burst-$n.json"
    local walls=() rss=() peers=() heapqs=()
    for i in 1 2 3; do
      wait_quiet
      walls[i]=$(hyperfine_median $((n <= 1000000 ? 10 : 2)) "$llmsim" run "$work/burst-$n.json" --quiet)
      read -r _ rss[i] < <(wall_and_rss "$llmsim" run "$work/burst-$n.json" --quiet)
      echo "llmsim $n users run $i: wall ${walls[i]} s, max RSS ${rss[i]} kB ($conditions)"
      if ((n <= 100000)); then
        peers[i]=$(hyperfine_median 3 /usr/bin/python3 bench/simpy_burst.py "$n")
        heapqs[i]=$(hyperfine_median 3 /usr/bin/python3 bench/python_burst.py "$n")
        echo "simpy $n users run $i: wall ${peers[i]} s; plain Python heapq: ${heapqs[i]} s"
      fi
    done
    local wall peak
    wall=$(printf '%s\n' "${walls[@]}" | median)
    peak=$(printf '%s\n' "${rss[@]}" | median)
    [[ -n $small_rss ]] || small_rss=$peak
    echo "burst $n users, median of 3: llmsim $wall s, max RSS $peak kB;" \
      "$(awk -v p="$peak" -v s="$small_rss" -v n="$n" 'BEGIN { if (n > 10000) printf "%.1f bytes a waiting user over the 10,000-user run", (p - s) * 1024 / (n - 10000) }')"
    if ((n <= 100000)); then
      local simpy plain
      simpy=$(printf '%s\n' "${peers[@]}" | median)
      plain=$(printf '%s\n' "${heapqs[@]}" | median)
      echo "burst $n users: SimPy 2.3.1 $simpy s ($(awk -v a="$simpy" -v b="$wall" 'BEGIN { printf "%.1f", a / b }')x llmsim)," \
        "plain Python $plain s ($(awk -v a="$plain" -v b="$wall" 'BEGIN { printf "%.1f", a / b }')x)"
    fi
  done
}

# Starts llmsim serve on SCENARIO with THREADS threads (2) on a free port, under the command
# given after them if any (valgrind ...); sets serve_pid and serve_port.
start_serve() {
  ${3:+"${@:3}"} "$llmsim" serve --scenario "$1" --port 0 --threads "${2:-2}" >"$work/serve.out" 2>&1 &
  serve_pid=$!
  pids+=("$serve_pid")
  serve_port=""
  for _ in $(seq 300); do
    serve_port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/serve.out" | sed 's/.*://' || true)
    [[ -n $serve_port ]] && return 0
    sleep 0.1
  done
  echo "bench: llmsim serve did not start: $(cat "$work/serve.out")" >&2
  exit 1
}

# Prints the CPU time (user + system, clock ticks) the given processes have used so far.
cpu_ticks() {
  local pid total=0
  for pid in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo "$total"
}

# Stops a process this script started and forgets it (so the exit trap does not signal its id).
stop_pid() {
  local pid kept=()
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  for pid in "${pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  pids=("${kept[@]}")
}

# Saves the mock server's reply to a small chat completion in body.json (serve must be running).
capture_body() {
  curl -sf -X POST "http://127.0.0.1:$serve_port/v1/chat/completions" -H 'Authorization: Bearer x' \
    -H 'Content-Type: application/json' -o "$work/body.json" \
    -d '{"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hello"}]}'
}

# Starts nginx (bench/nginx/fixed-body.conf.in) returning body.json on a free loopback port;
# sets nginx_pid and nginx_port.
start_nginx() {
  local body conf prefix=$work/nginx
  mkdir -p "$prefix"
  body=$(<"$work/body.json")
  # Characters a single-quoted nginx string cannot hold as they are, swapped 1 for 1 (size kept).
  body=${body//\'/\"}
  body=${body//\$/S}
  body=${body//\\//}
  for _ in $(seq 20); do
    nginx_port=$((20000 + RANDOM % 10000))
    (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && continue  # in use
    conf=$(<bench/nginx/fixed-body.conf.in)
    conf=${conf//@PREFIX@/"$prefix"}
    conf=${conf//@PORT@/"$nginx_port"}
    conf=${conf//@BODY@/"$body"}
    printf '%s\n' "$conf" >"$prefix/nginx.conf"
    nginx -e "$prefix/error.log" -p "$prefix" -c "$prefix/nginx.conf" &
    nginx_pid=$!
    pids+=("$nginx_pid")
    sleep 0.5
    if curl -sf -X POST -d '{}' -o "$work/nginx-body.json" \
      "http://127.0.0.1:$nginx_port/v1/chat/completions"; then
      return 0
    fi
    stop_pid "$nginx_pid"
  done
  echo "bench: nginx did not start: $(cat "$prefix/error.log")" >&2
  exit 1
}

# Runs wrk THREADS CONNECTIONS SECONDS URL OUT [extra wrk options].
run_wrk() {
  wrk -t"$1" -c"$2" -d"$3"s -s bench/wrk/chat.lua "${@:6}" "$4" >"$5" 2>&1
}

# Runs wrk -t2 -c64 for 10 s against NAME (llmsim: the mock server; nginx: its master and
# workers) into OUT and prints the server's CPU time (user + system, /proc/PID/stat) a request;
# further arguments go to wrk (-s SCRIPT).
wrk_server_cpu_us() {
  local name=$1 out=$2 port watched before
  if [[ $name == llmsim ]]; then
    port=$serve_port watched=("$serve_pid")
  else
    port=$nginx_port
    mapfile -t watched < <(pgrep -P "$nginx_pid")
    watched+=("$nginx_pid")
  fi
  before=$(cpu_ticks "${watched[@]}")
  run_wrk 2 64 10 "http://127.0.0.1:$port/" "$out" "${@:3}"
  awk -v t="$(($(cpu_ticks "${watched[@]}") - before))" -v hz="$(getconf CLK_TCK)" \
    -v n="$(wrk_field requests "$out")" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }'
}

section_server() {
  echo "== server: wrk -t2 -c64 -d10s POST /v1/chat/completions, llmsim serve --threads 2 vs nginx (2 workers)"
  start_serve bench/scenarios/zero-latency.json
  capture_body
  start_nginx
  echo "body: llmsim $(wc -c <"$work/body.json") bytes, nginx $(wc -c <"$work/nginx-body.json") bytes;" \
    "headers: llmsim $(curl -s -o /dev/null -w '%{size_header}' -X POST -H 'Authorization: Bearer x' \
    -d '{"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hello"}]}' \
    "http://127.0.0.1:$serve_port/v1/chat/completions") bytes," \
    "nginx $(curl -s -o /dev/null -w '%{size_header}' -X POST -d '{}' "http://127.0.0.1:$nginx_port/") bytes"
  local i name llmsim_rps=() nginx_rps=() llmsim_cpu=() nginx_cpu=()
  for i in 1 2 3; do
    for name in llmsim nginx; do
      wait_quiet
      local rps us out=$work/wrk-$name-$i.txt
      us=$(wrk_server_cpu_us "$name" "$out")
      rps=$(wrk_field rps "$out")
      if [[ $name == llmsim ]]; then
        llmsim_rps[i]=$rps llmsim_cpu[i]=$us
      else
        nginx_rps[i]=$rps nginx_cpu[i]=$us
      fi
      echo "run $i $name: $rps req/s, server cpu $us us/request, p99 $(wrk_field p99_us "$out") us," \
        "errors $(wrk_field status_errors "$out") status $(wrk_field read_errors "$out") read ($conditions)"
    done
  done
  echo "server cpu per request, median of 3: llmsim $(printf '%s\n' "${llmsim_cpu[@]}" | median) us," \
    "nginx $(printf '%s\n' "${nginx_cpu[@]}" | median) us"
  local ours theirs
  ours=$(printf '%s\n' "${llmsim_rps[@]}" | median)
  theirs=$(printf '%s\n' "${nginx_rps[@]}" | median)
  echo "server median of 3: llmsim $ours req/s, nginx $theirs req/s, ratio" \
    "$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }') (target: >= 0.50)"
  stop_pid "$nginx_pid"
  stop_pid "$serve_pid"
}

# Runs wrk -t2 -cCONNS for 20 s against the one-second server 3 times; prints the added error.
timer_at() {
  local conns=$1 i p50=() p99=() fields
  for i in 1 2 3; do
    wait_quiet
    local out=$work/wrk-timer-$conns-$i.txt before us
    before=$(cpu_ticks "$serve_pid")
    run_wrk 2 "$conns" 20 "http://127.0.0.1:$serve_port/" "$out" --timeout 10s
    us=$(awk -v t="$(($(cpu_ticks "$serve_pid") - before))" -v hz="$(getconf CLK_TCK)" \
      -v n="$(wrk_field requests "$out")" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    p50[i]=$(($(wrk_field p50_us "$out") - 1000000))
    p99[i]=$(($(wrk_field p99_us "$out") - 1000000))
    fields="min $(($(wrk_field min_us "$out") - 1000000)) us, p50 ${p50[i]} us, p90"
    fields+=" $(($(wrk_field p90_us "$out") - 1000000)) us, p99 ${p99[i]} us, p99.9"
    fields+=" $(($(wrk_field p999_us "$out") - 1000000)) us, max $(($(wrk_field max_us "$out") - 1000000)) us"
    echo "c$conns run $i: $(wrk_field rps "$out") req/s, server cpu $us us/request; added error $fields;" \
      "errors connect $(wrk_field connect_errors "$out"), read $(wrk_field read_errors "$out")," \
      "timeout $(wrk_field timeouts "$out"), status $(wrk_field status_errors "$out") ($conditions)"
  done
  echo "timer median of 3 with $conns requests in flight: added error" \
    "p50 $(printf '%s\n' "${p50[@]}" | median) us, p99 $(printf '%s\n' "${p99[@]}" | median) us"
}

section_timer() {
  local counts=${LLMSIM_BENCH_TIMER_CONNECTIONS:-1000 5000 10000} hard conns
  hard=$(ulimit -Hn)
  ((hard > 65536)) && hard=65536
  ulimit -n "$hard"
  echo "== timer: wrk -t2 -cN -d20s --timeout 10s against llmsim serve with 1 s to the first token (ulimit -n $hard)"
  start_serve bench/scenarios/one-second.json
  for conns in $counts; do
    # wrk and the server each need one descriptor per connection, and a few more.
    if ((conns + 100 > hard)); then
      echo "c$conns: more than the open-file limit allows; using $((hard - 100))"
      conns=$((hard - 100))
    fi
    timer_at "$conns"
  done
  stop_pid "$serve_pid"
}

# Runs llmsim load on SCENARIO against nginx into OUT (JSON report).
run_load() {
  OPENAI_API_KEY=x "$llmsim" load "$1" --target "http://127.0.0.1:$nginx_port" --quiet --json "$2" >/dev/null
}

# Prints "pass" or "fail: why" for an open-loop report: achieved within 1% and trustworthy.
judge_open() {
  jq -r '.notes as $n
    | ($n["arrival_rate open"] | capture("requested (?<r>[0-9.]+)/s, achieved (?<a>[0-9.]+)/s")) as $x
    | if ($x.a | tonumber) >= 0.99 * ($x.r | tonumber) and $n.trustworthy == "yes" and .total.failed == 0
      then "pass"
      else "fail: achieved \($x.a)/s, \($n.late_starts), \($n.load_generator), failed \(.total.failed)"
      end' "$1"
}

# Sweeps open-loop rates up from FROM in steps of STEP, 3 runs each; passes when 2 of 3 pass.
sweep_open() {
  local rate=$1 step=$2 best=0 i passes scenario
  while true; do
    scenario=$work/open-$rate.json
    jq --argjson r "$rate" '.workload.phases[0].rate_per_s = $r | .workload.phases[0].users = $r * 5' \
      bench/scenarios/load-rate-open.json >"$scenario"
    passes=0
    for i in 1 2 3; do
      wait_quiet
      local verdict
      run_load "$scenario" "$work/open-$rate-$i.out.json"
      verdict=$(judge_open "$work/open-$rate-$i.out.json")
      [[ $verdict == pass ]] && passes=$((passes + 1))
      echo "open $rate/s run $i: $verdict; $(jq -r '.notes["arrival_rate open"] + ", " + .notes.load_generator' \
        "$work/open-$rate-$i.out.json") ($conditions)"
    done
    ((passes >= 2)) || break
    best=$rate
    rate=$((rate + step))
  done
  if ((best == 0)); then
    echo "loadgen open-loop: even the first rate, $1/s, failed; start lower (LLMSIM_BENCH_OPEN_FROM)"
  else
    echo "loadgen open-loop: highest rate achieved within 1% with trustworthy yes (2 of 3 runs): $best/s"
  fi
}

# Starts nginx returning the mock server's reply body (for the load generator sections).
start_nginx_with_body() {
  start_serve bench/scenarios/zero-latency.json
  capture_body
  stop_pid "$serve_pid"
  start_nginx
}

# Closed loop: llmsim load (64 users, 64 connections, 10 s) beside wrk -t1 and -t2 -c64 against
# nginx, 3 times each; sets closed_rps to llmsim load's median.
section_loadgen_closed() {
  echo "== loadgen closed: llmsim load --target nginx vs wrk (POST, same body), 64 connections, 10 s"
  start_nginx_with_body
  local i threads closed=() wrk1=() wrk2=()
  for i in 1 2 3; do
    wait_quiet
    run_load bench/scenarios/load-rate-closed.json "$work/closed-$i.json"
    closed[i]=$(jq '.total.throughput_rps' "$work/closed-$i.json")
    echo "closed run $i: llmsim load ${closed[i]} req/s, failed $(jq '.total.failed' "$work/closed-$i.json")," \
      "$(jq -r '.notes.load_generator' "$work/closed-$i.json") ($conditions)"
    for threads in 1 2; do
      wait_quiet
      run_wrk "$threads" 64 10 "http://127.0.0.1:$nginx_port/" "$work/wrk-gen$threads-$i.txt"
      [[ $threads == 1 ]] && wrk1[i]=$(wrk_field rps "$work/wrk-gen1-$i.txt") ||
        wrk2[i]=$(wrk_field rps "$work/wrk-gen2-$i.txt")
      echo "closed run $i: wrk -t$threads -c64 $(wrk_field rps "$work/wrk-gen$threads-$i.txt") req/s ($conditions)"
    done
  done
  local one two
  closed_rps=$(printf '%s\n' "${closed[@]}" | median)
  one=$(printf '%s\n' "${wrk1[@]}" | median)
  two=$(printf '%s\n' "${wrk2[@]}" | median)
  echo "loadgen closed median of 3: llmsim load $closed_rps req/s, wrk -t1 $one req/s," \
    "wrk -t2 $two req/s; ratio to -t1 $(awk -v a="$closed_rps" -v b="$one" 'BEGIN { printf "%.2f", a / b }')," \
    "to -t2 $(awk -v a="$closed_rps" -v b="$two" 'BEGIN { printf "%.2f", a / b }') (target: >= 0.50)"
  stop_pid "$nginx_pid"
}

# Open loop: constant-rate sweeps against nginx, from LLMSIM_BENCH_OPEN_FROM in steps of
# LLMSIM_BENCH_OPEN_STEP (defaults: a third and a tenth of the closed-loop rate when that ran
# first, else 6000 and 1000 per second).
section_loadgen_open() {
  echo "== loadgen open: llmsim load --target nginx, constant rate for 5 s, 64 connections"
  local from=6000 step=1000
  if [[ -n ${closed_rps:-} ]]; then
    from=$(awk -v t="$closed_rps" 'BEGIN { printf "%d", int(t / 300) * 100 }')
    step=$(awk -v t="$closed_rps" 'BEGIN { s = int(t / 1000) * 100; printf "%d", (s > 0) ? s : 100 }')
  fi
  from=${LLMSIM_BENCH_OPEN_FROM:-$from}
  step=${LLMSIM_BENCH_OPEN_STEP:-$step}
  start_nginx_with_body
  sweep_open "$((from > 0 ? from : 100))" "$step"
  stop_pid "$nginx_pid"
}

# Prints the instructions a callgrind output file counted (its summary line stays 0 when
# instrumentation was switched on and off).
callgrind_total() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'; }

# Server instructions per request: llmsim serve --threads 1 under callgrind, instrumented only
# while wrk (one thread, 8 connections) runs for SECONDS (with SCRIPT, default chat.lua); the
# instructions of the whole process in that window over the responses wrk counted, also left in
# server_instructions.
cost_server_instructions() {
  local seconds=$1 script=${2:-bench/wrk/chat.lua} out=$work/wrk-cost-server.txt total
  start_serve bench/scenarios/zero-latency.json 1 valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$work/callgrind.server"
  capture_body  # a first request outside the window (lazy set-up, first connection)
  callgrind_control -i on "$serve_pid" >/dev/null
  run_wrk 1 8 "$seconds" "http://127.0.0.1:$serve_port/" "$out" -s "$script"
  callgrind_control -i off "$serve_pid" >/dev/null
  stop_pid "$serve_pid"
  total=$(callgrind_total "$work/callgrind.server")
  server_instructions=$(awk -v t="$total" -v n="$(wrk_field requests "$out")" \
    'BEGIN { printf "%.0f", t / n }')
  echo "server instructions: $server_instructions a request ($(wrk_field requests "$out")" \
    "requests in ${seconds} s under callgrind, llmsim serve --threads 1, wrk -t1 -c8," \
    "$(basename "$script"))"
}

# Writes a closed-loop scenario of 64 users sending REQUESTS each, back to back, to FILE.
closed_count_scenario() {
  jq --argjson n "$1" '.workload.phases[0] |= (del(.duration_s) | .requests_per_user = $n)' \
    bench/scenarios/load-rate-closed.json >"$2"
}

# Load generator instructions per request: llmsim load against nginx under callgrind with 64
# users sending 20 and then 100 requests each; the difference over the 64 x 80 extra requests
# leaves out start-up and the report.
cost_loadgen_instructions() {
  local n totals=()
  for n in 20 100; do
    closed_count_scenario "$n" "$work/closed-count-$n.json"
    OPENAI_API_KEY=x valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.load$n" \
      "$llmsim" load "$work/closed-count-$n.json" --target "http://127.0.0.1:$nginx_port" --quiet \
      --json "$work/closed-count-$n.out.json" >/dev/null 2>"$work/callgrind.load$n.err"
    totals+=("$(callgrind_total "$work/callgrind.load$n")")
  done
  echo "load generator instructions: $(awk -v a="${totals[0]}" -v b="${totals[1]}" \
    'BEGIN { printf "%.0f", (b - a) / (64 * 80) }') a request (callgrind, 64 users x 100 minus x 20," \
    "against nginx)"
}

# Prints the CPU time in microseconds per request of a `/usr/bin/time -f '%U %S'` FILE and a count.
time_per_request() { awk -v n="$2" '{ printf "%.1f", ($1 + $2) * 1e6 / n }' "$1"; }

# CPU time (user + system) per request: of llmsim serve --threads 2 and of nginx (2 workers)
# while wrk -t2 -c64 runs 10 s against each (/proc/PID/stat), and of llmsim load (64 users on 64
# connections, 64 x REQUESTS requests) and wrk -t1 -c64 for 10 s against nginx (/usr/bin/time).
cost_cpu() {
  local per_user=$1 name out us
  start_serve bench/scenarios/zero-latency.json 2
  for name in llmsim nginx; do
    out=$work/wrk-cost-$name.txt
    wait_quiet
    us=$(wrk_server_cpu_us "$name" "$out")
    echo "$name server cpu: $us us a request" \
      "($(wrk_field requests "$out") requests, $(wrk_field rps "$out") req/s; $conditions)"
  done
  stop_pid "$serve_pid"
  closed_count_scenario "$per_user" "$work/closed-cpu.json"
  wait_quiet
  /usr/bin/time -f '%U %S' -o "$work/time-load.txt" env OPENAI_API_KEY=x "$llmsim" load \
    "$work/closed-cpu.json" --target "http://127.0.0.1:$nginx_port" --quiet \
    --json "$work/closed-cpu.out.json" >/dev/null
  echo "llmsim load cpu: $(time_per_request "$work/time-load.txt" $((per_user * 64))) us a request" \
    "($((per_user * 64)) requests, $(jq '.total.throughput_rps' "$work/closed-cpu.out.json") req/s;" \
    "$conditions)"
  wait_quiet
  /usr/bin/time -f '%U %S' -o "$work/time-wrk.txt" wrk -t1 -c64 -d10s -s bench/wrk/chat.lua \
    "http://127.0.0.1:$nginx_port/" >"$work/wrk-cost-wrk.txt" 2>&1
  echo "wrk -t1 cpu: $(time_per_request "$work/time-wrk.txt" "$(wrk_field requests "$work/wrk-cost-wrk.txt")")" \
    "us a request ($(wrk_field requests "$work/wrk-cost-wrk.txt") requests," \
    "$(wrk_field rps "$work/wrk-cost-wrk.txt") req/s; $conditions)"
}

section_cost() {
  echo "== cost: CPU per request (callgrind instructions, and CPU time)"
  cost_server_instructions 20
  start_nginx_with_body
  cost_loadgen_instructions
  cost_cpu 3000
  stop_pid "$nginx_pid"
}

# Issue 14's bound: chat with a strict tool of 20 properties (tool_choice "required",
# bench/wrk/chat_tools.lua) costs the server at most 2x a plain chat (bench/wrk/chat.lua). Both
# as callgrind instructions a request (llmsim serve --threads 1, 10 s of wrk -t1 -c8 each) and as
# CPU time a request (llmsim serve --threads 2, wrk -t2 -c64 for 10 s each, /proc/PID/stat).
section_tools_cost() {
  echo "== tools-cost: server cost of chat with a 20-property tool vs plain chat"
  local plain tools plain_us tools_us
  cost_server_instructions 10 bench/wrk/chat.lua
  plain=$server_instructions
  cost_server_instructions 10 bench/wrk/chat_tools.lua
  tools=$server_instructions
  echo "tools-cost instructions: $(awk -v a="$plain" -v b="$tools" 'BEGIN { printf "%.2f", b / a }')x"
  start_serve bench/scenarios/zero-latency.json 2
  wait_quiet
  plain_us=$(wrk_server_cpu_us llmsim "$work/wrk-tools-plain.txt")
  echo "plain chat server cpu: $plain_us us a request ($conditions)"
  wait_quiet
  tools_us=$(wrk_server_cpu_us llmsim "$work/wrk-tools.txt" -s bench/wrk/chat_tools.lua)
  echo "chat with tools server cpu: $tools_us us a request ($conditions)"
  stop_pid "$serve_pid"
  echo "tools-cost cpu: $(awk -v a="$plain_us" -v b="$tools_us" 'BEGIN { printf "%.2f", b / a }')x (target <= 2x)"
}

# Prints the resident memory of process $1 in kB.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

section_soak() {
  local seconds=${LLMSIM_SOAK_SECONDS:-600} t first_minute="" last
  start_serve bench/scenarios/zero-latency.json 2
  echo "soak: llmsim serve, ${seconds} s of mixed traffic (wrk -t1 -c8, bench/wrk/mixed.lua), load $(load1)"
  wrk -t1 -c8 -d"${seconds}s" --latency -s bench/wrk/mixed.lua "http://127.0.0.1:$serve_port" >"$work/soak.out" 2>&1 &
  local wrk_pid=$!
  pids+=("$wrk_pid")
  echo "soak: t=0 s RSS $(rss_kb "$serve_pid") kB"
  for ((t = 60; t <= seconds; t += 60)); do
    sleep 60
    last=$(rss_kb "$serve_pid")
    [[ -n $first_minute ]] || first_minute=$last
    echo "soak: t=$t s RSS $last kB"
  done
  wait "$wrk_pid" || true
  echo "soak: $(grep -o 'wrk-figures.*' "$work/soak.out")"
  echo "soak: keys kept: $(curl -s "http://127.0.0.1:$serve_port/metrics" | awk '/^llmsim_ratelimit_keys/ { print $2 }')"
  awk -v a="$first_minute" -v b="$last" 'BEGIN { printf "soak: RSS after the first minute %d kB, at the end %d kB: %+.1f%%\n", a, b, (b - a) * 100 / a }'
  stop_pid "$serve_pid"
}

section_loadgen() {
  section_loadgen_closed
  section_loadgen_open
}

main() {
  local sections=("$@")
  ((${#sections[@]})) || sections=(machine micro startup ten-million burst server timer loadgen)
  install_missing
  build_missing "${sections[@]}"
  local section
  for section in "${sections[@]}"; do
    case $section in
      machine | micro | startup | ten-million | burst | server | timer | loadgen | loadgen-closed | loadgen-open | cost | tools-cost | soak)
        "section_${section//-/_}" ;;
      *)
        echo "bench/run.sh: unknown section \"$section\" (see the usage at the top of this file)" >&2
        exit 2
        ;;
    esac
  done
}

main "$@"
