#!/usr/bin/env bash
# bench/run.sh: every benchmark of BENCHMARKS.md in one command, from the repository root or
# anywhere else. It builds everything, then, one server at a time on 127.0.0.1:
#
#   1. closed loop (wrk, bench/post-event.lua): callscript serve with the IVR tenant, the same
#      IVR as a native Go handler, and the same JavaScript under Node's http module (one
#      process, and node:cluster with two workers), at 16 and 64 connections;
#   2. open loop (bench/load) at half of Node single-process capacity, against each server;
#   3. go test -bench: the engine path without HTTP against native Go, and reload;
#   4. bench/scale: 10,000 tenants.
#
# and prints the tables. Settings (environment):
#   DURATION=10s       each wrk run           WARMUP=3s     wrk warm-up before each server's runs
#   CONNS="16 64"      wrk connections        OPEN_CONNS=32 open-loop connections
#   OPEN_DURATION=     open-loop run (default DURATION)
#   RATE=              open-loop offered req/s (default: half of Node single-process capacity,
#                      or of callscript's when Node is absent)
#   SKIP_GOBENCH=1     skip step 3            SKIP_SCALE=1  skip step 4
#   WAIT_IDLE=60       before each server, wait up to this many seconds for the machine to be
#                      idle (0: do not wait); the tables report other processes' CPU share
#   SCALE_TENANTS=10000                       OUT=DIR       keep raw outputs there
#   COMMIT=            what the machine section says was measured (default: git describes it)
#   PORT_BASE=28180    servers listen on the ports after it, one at a time; bench/scale on
#                      PORT_BASE+100
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CONNS=${CONNS:-16 64}
OPEN_CONNS=${OPEN_CONNS:-32}
OPEN_DURATION=${OPEN_DURATION:-$DURATION}
RATE=${RATE:-}
SCALE_TENANTS=${SCALE_TENANTS:-10000}
PORT_BASE=${PORT_BASE:-28180}
WAIT_IDLE=${WAIT_IDLE:-60}
# The packages whose own benchmarks time the stages of the engine path: webhook decoding and
# routing fields, the event into JavaScript values, callflow validation and encoding, bundling.
STAGES="./engine/webhook ./engine/vm ./engine/callflow ./engine/bundle"
URL=http://127.0.0.1
bin=$(mktemp -d)
OUT=${OUT:-$(mktemp -d -t callscript-bench-XXXX)}
mkdir -p "$OUT"

server_pid=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  local children
  children=$(pgrep -P "$server_pid" || true)
  kill "$server_pid" $children 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$server_pid" $children 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap 'stop_server; rm -rf "$bin"' EXIT

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
node_ok=""
if command -v node >/dev/null &&
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=6)?0:1)'; then
  node_ok=1
else
  echo "NOTE: Node.js 20.6 or later is absent: the Node rows are skipped." >&2
fi

echo "building" >&2
go build -o "$bin/callscript" ./cmd/callscript
go build -o "$bin/native" ./bench/native
go build -o "$bin/load" ./bench/load
go build -o "$bin/gobench" ./bench/gobench
go build -o "$bin/scale" ./bench/scale

{
  echo "## Machine"
  echo
  echo "- CPU: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') ($(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') MHz)"
  echo "- date: $(date -u +'%F %H:%M') UTC"
  echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "- kernel: $(uname -r)"
  echo "- $(go version | cut -d' ' -f3-)"
  if [ -n "$node_ok" ]; then echo "- Node.js $(node --version)"; fi
  echo "- $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- commit: ${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')}"
} | tee "$OUT/machine.md"
if awk '{exit !($1 > 0.5)}' /proc/loadavg; then
  echo "WARNING: the machine is busy (load average $(cut -d' ' -f1 /proc/loadavg)): figures will be low and noisy." >&2
fi

# start_server NAME PORT: start the named server in the background, wait until it listens.
start_server() {
  local name=$1 port=$2
  if curl -s -o /dev/null "$URL:$port/"; then
    echo "port $port is already in use: set PORT_BASE to another free range" >&2
    exit 1
  fi
  case $name in
  callscript) "$bin/callscript" serve --addr "127.0.0.1:$port" --scripts engine/testdata/bench --log-level error & ;;
  native-go) "$bin/native" --addr "127.0.0.1:$port" & ;;
  node-single) node bench/node/server.mjs --port "$port" & ;;
  node-cluster2) node bench/node/server.mjs --port "$port" --workers 2 & ;;
  esac
  server_pid=$!
  for _ in $(seq 300); do
    curl -s -o /dev/null "$URL:$port/readyz" && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "$name exited at start" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not start listening on $port" >&2
  exit 1
}

# memory: resident set now and at peak, MiB, summed over the server and its children (the
# cluster's workers).
memory() {
  local pids p rss=0 hwm=0
  pids="$server_pid $(pgrep -P "$server_pid" | tr '\n' ' ')"
  for p in $pids; do
    rss=$((rss + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
    hwm=$((hwm + $(awk '/^VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "$((rss / 1024)) $((hwm / 1024))"
}

# cpu_now prints clock ticks used so far: by the machine (user, nice, system), by the server
# with its workers, by this script's finished children (wrk, bench/load), and the machine's
# total including idle. Between two readings, the machine's use less the server's and the load
# generator's is other processes' work: noise in the figures, reported as "other CPU".
cpu_now() {
  local p server=0
  for p in $server_pid $(pgrep -P "$server_pid"); do
    server=$((server + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$(awk '/^cpu / {busy = $2 + $3 + $4; total = 0; for (i = 2; i <= NF; i++) total += $i; print busy, total}' /proc/stat)" \
    "$server" "$(awk '{print $16 + $17}' "/proc/$$/stat")"
}

# other_cpu BEFORE AFTER: other processes' share of the machine between two cpu_now, in %.
other_cpu() {
  echo "$1 $2" | awk '{total = $6 - $2; other = ($5 - $1) - ($7 - $3) - ($8 - $4); if (other < 0) other = 0
    printf "%.0f", (total > 0) ? 100 * other / total : 0}'
}

# server_cpu BEFORE AFTER: the server's share of the machine between two cpu_now, in % (100:
# every core busy with it).
server_cpu() {
  echo "$1 $2" | awk '{total = $6 - $2; printf "%.0f", (total > 0) ? 100 * ($7 - $3) / total : 0}'
}

# wait_idle waits, at most WAIT_IDLE seconds, until the machine is idle (under 10% busy over a
# second): another job running during a measurement would show in it.
wait_idle() {
  local waited=0 a b
  while [ "$waited" -lt "$WAIT_IDLE" ]; do
    a=$(awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print $2 + $3 + $4, t}' /proc/stat)
    sleep 1
    b=$(awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print $2 + $3 + $4, t}' /proc/stat)
    if echo "$a $b" | awk '{exit !(($3 - $1) < 0.1 * ($4 - $2))}'; then return 0; fi
    waited=$((waited + 1))
  done
  [ "$WAIT_IDLE" -eq 0 ] || echo "WARNING: the machine is still busy after waiting ${WAIT_IDLE}s; measuring anyway" >&2
}

# not_run NAME PORT: for callscript, how many webhooks so far were answered without running
# the script as asked (fallback or idempotent replay, from /metrics): a benchmark whose requests
# are replays or fallbacks measures the wrong path. "-" for the other servers.
not_run() {
  if [ "$1" != callscript ]; then echo -; return; fi
  curl -s "$URL:$2/metrics" | awk '/^callscript_webhooks_total/ && /outcome="(fallback|replayed)"/ {n += $NF} END {print n + 0}'
}

# closed NAME PORT CONNS: one wrk run; appends "name conns rps p50 p99 rss hwm errors other-cpu%
# fallbacks+replays server-cpu%" to closed.tsv.
closed() {
  local name=$1 port=$2 conns=$3 raw="$OUT/wrk-$1-$3.txt" before after skipped
  skipped=$(not_run "$name" "$port")
  before=$(cpu_now)
  wrk -t2 -c"$conns" -d"$DURATION" --latency -s bench/post-event.lua "$URL:$port" >"$raw"
  after=$(cpu_now)
  if [ "$skipped" != - ]; then skipped=$(($(not_run "$name" "$port") - skipped)); fi
  awk -v n="$name" -v c="$conns" -v mem="$(memory)" -v other="$(other_cpu "$before" "$after")" -v skipped="$skipped" -v cpu="$(server_cpu "$before" "$after")" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ {rps = $2} /^ +50%/ {p50 = ms($2)} /^ +99%/ {p99 = ms($2)}
    /Non-2xx/ {err += $NF} /Socket errors/ {err += 1}
    END {split(mem, m, " "); printf "%s\t%s\t%.0f\t%.2f\t%.2f\t%s\t%s\t%d\t%s\t%s\t%s\n", n, c, rps, p50, p99, m[1], m[2], err, other, skipped, cpu}' "$raw" >>"$OUT/closed.tsv"
  tail -1 "$OUT/closed.tsv" >&2
}

servers="native-go callscript"
if [ -n "$node_ok" ]; then servers="node-single node-cluster2 $servers"; fi
: >"$OUT/closed.tsv"
: >"$OUT/open.tsv"

echo "closed loop: $servers; $CONNS connections, $DURATION each" >&2
port=$PORT_BASE
for name in $servers; do
  port=$((port + 1))
  start_server "$name" "$port"
  wait_idle
  wrk -t2 -c16 -d"$WARMUP" -s bench/post-event.lua "$URL:$port" >/dev/null
  for c in $CONNS; do closed "$name" "$port" "$c"; done
  stop_server
done

capacity_of() { awk -v n="$1" '$1 == n && $3 > max {max = $3} END {print max + 0}' "$OUT/closed.tsv"; }
if [ -z "$RATE" ]; then
  if [ -n "$node_ok" ]; then base=node-single; else base=callscript; fi
  RATE=$(($(capacity_of $base) / 2))
  rate_note="half of $base capacity ($(capacity_of $base) req/s, the best of its closed-loop runs)"
else
  rate_note="set by RATE"
fi

echo "open loop: $RATE req/s for $OPEN_DURATION, $OPEN_CONNS connections" >&2
for name in $servers; do
  port=$((port + 1))
  start_server "$name" "$port"
  wait_idle
  wrk -t2 -c16 -d"$WARMUP" -s bench/post-event.lua "$URL:$port" >/dev/null
  before=$(cpu_now)
  "$bin/load" -addr "127.0.0.1:$port" -rate "$RATE" -duration "$OPEN_DURATION" -conns "$OPEN_CONNS" >"$OUT/open-$name.txt" || true
  after=$(cpu_now)
  echo "$name $(cat "$OUT/open-$name.txt") other=$(other_cpu "$before" "$after")" | tee -a "$OUT/open.tsv" >&2
  stop_server
done

{
  echo
  echo "## Closed loop (wrk -t2, $DURATION per row, new eventId and sessionId per request)"
  echo
  echo "| server | conns | req/s | p50 ms | p99 ms | RSS MiB | peak RSS MiB | errors | fallbacks + replays | server CPU % | server CPU µs/req | other CPU % | req/s vs native-go |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' -v cores="$(nproc)" 'NR == FNR {if ($1 == "native-go") base[$2] = $3; next}
    {r = base[$2] > 0 ? sprintf("%.2fx", $3 / base[$2]) : "-"
     us = $3 > 0 ? sprintf("%.0f", $11 / 100 * cores * 1e6 / $3) : "-"
     printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $10, $11, us, $9, r}' "$OUT/closed.tsv" "$OUT/closed.tsv"
  echo
  echo "## Open loop (bench/load: $RATE req/s offered, $rate_note; $OPEN_CONNS connections, $OPEN_DURATION; latency from the scheduled send time)"
  echo
  echo "| server | offered | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | late | failed | fallbacks | generator lag p50 / p99 ms | other CPU % |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk '{ delete kv; for (i = 2; i <= NF; i++) { split($i, a, "="); kv[a[1]] = a[2] }
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, kv["offered"], kv["rps"], kv["p50"], kv["p90"], kv["p99"], kv["max"], kv["late"], kv["failed"], kv["fallbacks"], kv["lag_p50"] " / " kv["lag_p99"], kv["other"] }' "$OUT/open.tsv"
} | tee "$OUT/http.md"

if [ -z "${SKIP_GOBENCH:-}" ]; then
  echo "go test -bench (engine path without HTTP; reload)" >&2
  # A package that does not build (work in progress) costs its table, not the rest of the run.
  go test -run '^$' -bench 'Stages' -benchmem -count 6 ./engine/ 2>&1 | tee "$OUT/gobench-engine.txt" >&2 || true
  go test -run '^$' -bench . -benchmem -count 6 $STAGES 2>&1 | tee "$OUT/gobench-stages.txt" >&2 || true
  go test -run '^$' -bench Reload -benchtime 100x ./engine/ 2>&1 | tee "$OUT/gobench-reload.txt" >&2 || true
  medians() { "$bin/gobench" "$@" || echo "(no results: see $OUT for go test's output)"; }
  {
    echo
    echo "## go test -bench, medians"
    echo
    echo "\`go test -run '^\$' -bench 'Stages' -benchmem -count 6 ./engine/\`: the stages of a warm CALL_ACTION, the whole engine path (engine, which is BenchmarkCallAction) and the native Go handler (native-go, BenchmarkNativeGo), side by side"
    echo
    medians -base Stages/native-go <"$OUT/gobench-engine.txt"
    echo
    echo "The stages on their own, each package's benchmarks: \`go test -run '^\$' -bench . -benchmem -count 6 $STAGES\`"
    echo
    medians <"$OUT/gobench-stages.txt"
    echo
    echo "\`go test -run '^\$' -bench Reload -benchtime 100x ./engine/\` (100 saves; p50-ms and p99-ms from save to the new version answering)"
    echo
    medians <"$OUT/gobench-reload.txt"
  } | tee "$OUT/gobench.md"
fi

if [ -z "${SKIP_SCALE:-}" ]; then
  echo "scale: $SCALE_TENANTS tenants" >&2
  {
    echo
    echo "## $SCALE_TENANTS tenants (bench/scale, $DURATION per steady load, 16 connections)"
    echo
    if "$bin/scale" -bin "$bin/callscript" -addr "127.0.0.1:$((PORT_BASE + 100))" -tenants "$SCALE_TENANTS" \
      -duration "$DURATION" >"$OUT/scale.txt" 2>"$OUT/scale.err"; then
      grep '^|' "$OUT/scale.txt"
    else
      grep '^|' "$OUT/scale.txt" || true
      echo
      echo "bench/scale FAILED: $(grep -v '"level"' "$OUT/scale.err" | tail -1)"
    fi
  } | tee "$OUT/scale.md"
fi

# The targets of the issue, checked against this run's figures.
{
  echo
  echo "## Targets (from this run)"
  echo
  awk -F'\t' -v node="$node_ok" '
    {rps[$1 "/" $2] = $3; if (!($2 in seen)) {seen[$2] = 1; order[++n] = $2}}
    function check(what, got, want, ok) { printf "- %s: %s (target %s): %s\n", what, got, want, ok ? "met" : "MISSED" }
    END {
      for (i = 1; i <= n; i++) {
        c = order[i]
        if (rps["native-go/" c] > 0) { r = rps["callscript/" c] / rps["native-go/" c]; check("callscript / native-go req/s at " c " connections", sprintf("%.2fx", r), ">= 0.95x", r >= 0.95) }
        if (node && rps["node-cluster2/" c] > 0) { r = rps["callscript/" c] / rps["node-cluster2/" c]; check("callscript / node-cluster2 req/s at " c " connections", sprintf("%.2fx", r), ">= 1.15x", r >= 1.15) }
      }
    }' "$OUT/closed.tsv"
  if [ -n "$node_ok" ]; then
    awk '{ for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == "p99") p99[$1] = a[2] } }
      END { printf "- open-loop p99 at %s req/s, callscript vs node-single: %s ms vs %s ms (target <=): %s\n", rate, p99["callscript"], p99["node-single"], (p99["callscript"] + 0 <= p99["node-single"] + 0) ? "met" : "MISSED" }' rate="$RATE" "$OUT/open.tsv"
  fi
  if [ -s "$OUT/gobench.md" ]; then
    awk -F'|' '$2 ~ /^ Stages\/engine / {ca = $4; allocs = $6} $2 ~ /^ Stages\/native-go / {ng = $4; nallocs = $6}
      $2 ~ /^ Reload\/inotify / {p99 = $6}
      END {
        r = (ng > 0) ? ca / ng : 0
        printf "- warm engine path without HTTP, CallAction / NativeGo ns/op: %.0f / %.0f ns = %.2fx, allocs/op %d vs %d (target <= 1.00x): %s\n", ca, ng, r, allocs, nallocs, (r > 0 && r <= 1) ? "met" : "MISSED"
        printf "- reload p99, save to new version answering (inotify): %s ms (target <= 100 ms): %s\n", p99 + 0, (p99 > 0 && p99 <= 100) ? "met" : "MISSED"
      }' "$OUT/gobench.md"
  fi
  if grep -q '^summary' "$OUT/scale.txt" 2>/dev/null; then
    grep '^summary' "$OUT/scale.txt" | awk -v n="$SCALE_TENANTS" '{ for (i = 2; i <= NF; i++) { split($i, a, "="); kv[a[1]] = a[2] } }
      function check(what, got, want, ok) { printf "- %s: %s (target %s): %s\n", what, got, want, ok ? "met" : "MISSED" }
      END {
        check(n " tenants, peak RSS", kv["peak_rss_mib"] " MiB", "<= 1024 MiB", kv["peak_rss_mib"] <= 1024)
        check(n " tenants, first answer of a tenant p99 (loaded at start, never called)", kv["first_p99_ms"] " ms", "<= 10 ms", kv["first_p99_ms"] <= 10)
        check("cold tenant uploaded while serving, first answer p99 (bundle, compile and load check included)", kv["uploaded_p99_ms"] " ms", "<= 10 ms", kv["uploaded_p99_ms"] <= 10)
        print "- tenant added while serving (folder renamed in), first answer p99: " kv["added_p99_ms"] " ms (includes the watcher'"'"'s 25 ms debounce; no target)"
        check(n " tenants, spread req/s / one tenant req/s", kv["spread_ratio"] "x", ">= 0.70x", kv["spread_ratio"] >= 0.7)
      }'
  fi
} | tee "$OUT/targets.md"

echo >&2
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg); raw outputs in $OUT" >&2
