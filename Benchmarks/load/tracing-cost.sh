#!/usr/bin/env bash
# What tracing costs the stack: Benchmarks/load/compare.sh with tracing off against tracing
# on at 1 % sampling, exporting to a real OTLP receiver (scripts/otlp-receiver.py).
#
#   Benchmarks/load/tracing-cost.sh [rounds, default 3] [seconds per scenario, default 10]
#
# OTLP_RECEIVER_PYTHON: an interpreter with opentelemetry-proto (.ci/run makes one).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3} DURATION=${2:-10}
PYTHON=${OTLP_RECEIVER_PYTHON:-/opt/otlp-receiver-1.45.2/bin/python3}
SPANS="$(mktemp /tmp/tracing-cost-spans.XXXXXX)"
# The receiver decodes every export but writes only counts: it shares the cores with the stack.
coproc RECEIVER { exec "$PYTHON" scripts/otlp-receiver.py --port 0 --out "$SPANS" --count-only; }
trap 'kill "$RECEIVER_PID" 2>/dev/null || true; rm -f "$SPANS"' EXIT
read -r _ PORT <&"${RECEIVER[0]}"
Benchmarks/load/compare.sh "$ROUNDS" "$DURATION" \
    "off" "" \
    "1 % sampled" "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$PORT OTEL_TRACES_SAMPLER_ARG=0.01"
echo "spans received: $(awk '{ total += $1 } END { print total + 0 }' "$SPANS")"
