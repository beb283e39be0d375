#!/usr/bin/env bash
# Side by side on this machine: callscript serve with the benchmark IVR tenant, and the same
# IVR as a native Go handler, each driven by wrk with the same load. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${CONNS:-16}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk"; exit 1; }
bin=$(mktemp -d)
go build -o "$bin/callscript" ./cmd/callscript
go build -o "$bin/native" ./bench/native
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$bin"' EXIT

"$bin/callscript" serve --addr 127.0.0.1:18080 --scripts engine/testdata/bench --log-level error & pids+=($!)
"$bin/native" --addr 127.0.0.1:18081 & pids+=($!)
for port in 18080 18081; do
  for _ in $(seq 100); do curl -s -o /dev/null "127.0.0.1:$port/" && break; sleep 0.1; done
done

run() { # name url
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/post-event.lua "$2" | tee "$bin/$1.txt" >&2
  awk -v n="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%-12s %10s req/s   p50 %8s   p99 %8s\n", n, rps, p50, p99}' "$bin/$1.txt"
}
echo "warm-up"; wrk -t2 -c"$CONNS" -d2s -s bench/post-event.lua http://127.0.0.1:18080 >/dev/null
wrk -t2 -c"$CONNS" -d2s -s bench/post-event.lua http://127.0.0.1:18081 >/dev/null
{
  run callscript http://127.0.0.1:18080
  run native-go http://127.0.0.1:18081
} > "$bin/table.txt"
echo; echo "connections: $CONNS, duration: $DURATION"; cat "$bin/table.txt"
