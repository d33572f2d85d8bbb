#!/usr/bin/env bash
# What one recorded trace costs, and what tracing costs a request it does not record: the CPU
# the edge, workers and data service spend per request at a fixed arrival rate, one stack per
# configuration (tracing off; on, sampling nothing; on at each ratio of RATIOS), the same h2load
# load sent to each in turn, round after round.
#
#   Benchmarks/load/tracing-per-trace.sh [rounds, default 5] [seconds per run, default 5]
#
# At a fixed rate below saturation (RATE, default 3000 requests/s over 64 connections, GET one
# micropost) every stack sees the same arrivals, so the CPU per request is not moved by how much
# the tiers batch at saturation (tracing-cost.sh measures throughput there). A ratio's row minus
# the row with tracing off, divided by the ratio, is the CPU of one recorded trace: large enough
# at 0.1 and 1 to stand out of the noise. The rows of small ratios and of "on, sampling nothing"
# differ from "off" by less than two stacks started the same way differ from each other (±10 %
# on this 2-core machine): by default the stacks are started once and held; FRESH=1 starts new
# ones every round, so that each round draws new instances and the medians average over them.
#
# STACK_BIN: the release binaries (default: this tree's release build, built first); RATIOS
# (default "0.01 0.1 1"); OTLP_RECEIVER_PYTHON: an interpreter with opentelemetry-proto (.ci/run
# makes one). Needs h2load (nghttp2-client).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5} DURATION=${2:-5}
RATE=${RATE:-3000} CLIENTS=64
RATIOS=${RATIOS:-"0.01 0.1 1"}
PYTHON=${OTLP_RECEIVER_PYTHON:-/opt/otlp-receiver-1.45.2/bin/python3}
command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 1; }
if [ -z "${STACK_BIN:-}" ]; then
    for product in data worker edge; do
        PATH="/opt/swift/usr/bin:$PATH" swift build -c release --product "$product" >/dev/null
    done
    STACK_BIN="$(PATH="/opt/swift/usr/bin:$PATH" swift build -c release --show-bin-path)"
fi
WORK="$(mktemp -d /tmp/tracing-per-trace.XXXXXX)"
HOLDERS=()
cleanup() {
    for pid in "${HOLDERS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${HOLDERS[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -z "${RECEIVER_PID:-}" ] || kill "$RECEIVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

coproc RECEIVER { exec "$PYTHON" scripts/otlp-receiver.py --port 0 --out "$WORK/spans" --count-only; }
read -r _ PORT <&"${RECEIVER[0]}"
ENDPOINT="http://127.0.0.1:$PORT"

# name → environment of its stack
NAMES=("off" "on, sampling nothing")
SETUPS=("" "OTEL_EXPORTER_OTLP_ENDPOINT=$ENDPOINT OTEL_TRACES_SAMPLER_ARG=0")
for ratio in $RATIOS; do
    NAMES+=("$ratio")
    SETUPS+=("OTEL_EXPORTER_OTLP_ENDPOINT=$ENDPOINT OTEL_TRACES_SAMPLER_ARG=$ratio")
done

# Each stack: load-test.sh held after a one-second static run (HOLD=1 prints its address, token
# file and process ids); started one after the other so the seeding does not overlap.
start_stacks() {
    HOLDERS=()
    for i in "${!NAMES[@]}"; do
        env ${SETUPS[$i]} HOLD=1 SCENARIOS=static WARMUP=1 STACK_BIN="$STACK_BIN" \
            Benchmarks/load/load-test.sh 1 >"$WORK/stack-$i.log" 2>&1 &
        HOLDERS+=($!)
        until grep -q '^holding the stack' "$WORK/stack-$i.log"; do
            kill -0 "${HOLDERS[$i]}" 2>/dev/null || { echo "stack '${NAMES[$i]}' did not start:" >&2; tail "$WORK/stack-$i.log" >&2; exit 1; }
            sleep 0.5
        done
    done
}
stop_stacks() {
    for pid in "${HOLDERS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${HOLDERS[@]}"; do wait "$pid" 2>/dev/null || true; done
    HOLDERS=()
}
[ "${FRESH:-0}" = 1 ] || start_stacks

python3 -c "
import random
random.seed(7)
for _ in range(20000):
    i = random.randint(1, 100000)
    print(f'/api/users/user{(i - 1) // 100 + 1:04d}/collection/{i}')" >"$WORK/paths"

cpu_ticks() { # <pid>... → utime + stime of all, in clock ticks
    local total=0 pid
    for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
    echo "$total"
}
HZ=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
    [ "${FRESH:-0}" = 0 ] || start_stacks
    for i in "${!NAMES[@]}"; do
        line=$(grep '^holding the stack' "$WORK/stack-$i.log")
        base=$(echo "$line" | grep -o 'http://[0-9.:]*' | head -1)
        token=$(cat "$(echo "$line" | sed 's/.*token in \([^,]*\),.*/\1/')")
        edge=$(echo "$line" | sed 's/.*edge \([0-9]*\).*/\1/')
        read -r -a workers <<<"$(echo "$line" | sed 's/.*workers \([0-9 ]*\),.*/\1/')"
        data=$(echo "$line" | sed 's/.*data \([0-9]*\).*/\1/')
        sed "s|^|$base|" "$WORK/paths" >"$WORK/uris"
        e0=$(cpu_ticks "$edge"); w0=$(cpu_ticks "${workers[@]}"); d0=$(cpu_ticks "$data")
        out=$(h2load --h1 -c "$CLIENTS" -m 1 --rps "$(awk -v r="$RATE" -v c="$CLIENTS" 'BEGIN { print r / c }')" \
            -n $((RATE * DURATION)) -H "authorization: Bearer $token" -i "$WORK/uris" 2>&1)
        e1=$(cpu_ticks "$edge"); w1=$(cpu_ticks "${workers[@]}"); d1=$(cpu_ticks "$data")
        ok=$(echo "$out" | awk '/^status codes:/ {print $3}')
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$round" "$ok" $((e1 - e0)) $((w1 - w0)) $((d1 - d0)) >>"$WORK/rows.tsv"
        echo "round $round/$ROUNDS: ${NAMES[$i]}: $ok 2xx" >&2
    done
    [ "${FRESH:-0}" = 0 ] || stop_stacks
done

python3 - "$WORK/rows.tsv" "$HZ" "$RATE" "$ROUNDS" "$DURATION" "${NAMES[@]}" <<'PY'
import statistics, sys
rows, hz, rate, rounds, duration, names = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
per = {}
for line in open(rows):
    i, _, ok, e, w, d = line.split()
    us = 1e6 / hz / max(int(ok), 1)
    per.setdefault(int(i), []).append((int(e) * us, int(w) * us, int(d) * us))
def med(values, k):
    return statistics.median(v[k] for v in values)
print(f"CPU µs per request at {rate} requests/s (GET one micropost, h2load, 64 connections), medians of {rounds} "
      f"alternating runs of {duration} s; every round's sum in the last column.\n")
print("| tracing | edge | workers | data | sum | more than off | per recorded trace | sums |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
off = statistics.median(sum(v) for v in per[0])
for i, name in enumerate(names):
    sums = [sum(v) for v in per[i]]
    total = statistics.median(sums)
    extra = total - off
    try:
        share = float(name)
    except ValueError:
        share = None
    per_trace = f"{extra / share:.0f}" if share else "–"
    more = "–" if i == 0 else f"{extra:+.1f} ({extra / off * 100:+.1f} %)"
    print(f"| {name} | {med(per[i], 0):.1f} | {med(per[i], 1):.1f} | {med(per[i], 2):.1f} | {total:.1f} | {more} | {per_trace} "
          f"| {', '.join(f'{s:.0f}' for s in sums)} |")
PY
echo "spans received: $(awk '{ total += $1 } END { print total + 0 }' "$WORK/spans")"
