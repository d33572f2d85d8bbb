#!/usr/bin/env bash
# Two-process RPC benchmark over loopback TCP: a server process and a client process, unary
# calls with a 128-byte request and response, at 1 and at 64 calls in flight on one connection.
# Usage: Benchmarks/rpc-bench.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds="${1:-10}"
port="${RPC_BENCH_PORT:-7399}"

swift build -c release --product rpc-bench >&2
bench="$(swift build -c release --show-bin-path)/rpc-bench"

"$bench" server --listen "127.0.0.1:$port" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
sleep 1

echo "| in flight | payload (B) | calls/s | p50 (ms) | p99 (ms) | p99.9 (ms) |"
echo "|---:|---:|---:|---:|---:|---:|"
for concurrency in 1 64; do
    "$bench" client --target "127.0.0.1:$port" --concurrency "$concurrency" --payload 128 \
        --duration "$seconds" --warmup 2 --markdown
done
