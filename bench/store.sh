#!/usr/bin/env bash
# One replica of callscript serve with the benchmark IVR tenant, first with --store memory, then
# with --store redis://… on a local redis-server, each driven by wrk with the same load: what
# sharing state through Redis costs in throughput and tail latency. Every request is a new
# event of a new call (bench/post-event.lua), so each one reads and writes Redis: the event's
# claim, the call's session, the session's save and the remembered answer.
# Needs wrk and redis-server (apt-get install -y wrk redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${CONNS:-16}
DURATION=${DURATION:-10s}
REDIS_PORT=${REDIS_PORT:-16379}
PORT=${PORT:-18090}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is not installed: apt-get install -y redis-server"; exit 1; }
bin=$(mktemp -d)
go build -o "$bin/callscript" ./cmd/callscript
if ! "$bin/callscript" serve --help 2>&1 | grep -q -- '--store'; then
  echo "this callscript has no --store flag yet"; exit 1
fi
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$bin"; }
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$bin" --loglevel warning >"$bin/redis.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done

run() { # name store
  "$bin/callscript" serve --addr "127.0.0.1:$PORT" --scripts engine/testdata/bench --store "$2" --log-level error &
  local pid=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "127.0.0.1:$PORT/readyz" && break; sleep 0.1; done
  wrk -t2 -c"$CONNS" -d2s -s bench/post-event.lua "http://127.0.0.1:$PORT" >/dev/null # warm-up
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/post-event.lua "http://127.0.0.1:$PORT" | tee "$bin/$1.txt" >&2
  # A store that failed answers 200 with the fallback: count the failures from the metrics.
  local failed
  failed=$(curl -s "127.0.0.1:$PORT/metrics" | awk '/^callscript_store_errors_total/ {s += $NF} END {print s + 0}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v n="$1" -v failed="$failed" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
    END {printf "%-14s %10s req/s   p50 %8s   p99 %8s   non-2xx %s   store errors %s\n", n, rps, p50, p99, (bad == "" ? 0 : bad), failed}' "$bin/$1.txt"
}
{
  run "store memory" memory
  run "store redis" "redis://127.0.0.1:$REDIS_PORT/0"
} > "$bin/table.txt"
echo; echo "one replica, connections: $CONNS, duration: $DURATION, $(nproc) cores"; cat "$bin/table.txt"
no_ttl=$(redis-cli -p "$REDIS_PORT" eval "local n = 0 for _, k in ipairs(redis.call('KEYS', '*')) do if redis.call('PTTL', k) < 0 then n = n + 1 end end return n" 0)
echo "keys left in Redis: $(redis-cli -p "$REDIS_PORT" dbsize), of which without a TTL: $no_ttl"
