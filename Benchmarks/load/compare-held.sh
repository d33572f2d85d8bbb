#!/usr/bin/env bash
# Two builds or configurations of the stack side by side on two stacks started once and held:
# short wrk runs against side A and side B in turn (A B A B …), many of them, so the machine's
# drift — which moves a whole 10 s round of compare.sh by ±15 % here — falls on both sides of
# each pair. Per pair: B's requests/s over A's and B's CPU per request over A's, read from
# /proc for each tier; then the medians of those pair ratios. This settles differences of a
# few per cent that compare.sh's fresh stack per round cannot (README, "What tracing costs").
#
#   Benchmarks/load/compare-held.sh PAIRS SECONDS A_NAME A_SETUP B_NAME B_SETUP
#
# A_SETUP and B_SETUP are environment assignments for that side's load-test.sh (and through it
# every service it starts), as for compare.sh; "@RECEIVER@" in them becomes the URL of an OTLP
# receiver (scripts/otlp-receiver.py --count-only) started for the run, e.g.
# "OTEL_EXPORTER_OTLP_ENDPOINT=@RECEIVER@ OTEL_TRACES_SAMPLER_ARG=0.01". SCENARIO (default
# get-one) is the wrk script; STACK_BIN and the other load-test.sh variables apply to both
# sides (or put them in a side's setup). Both stacks run at once, the idle one waiting; each has
# its own PostgreSQL cluster, whose CPU is not counted.
#
# Two stacks started the same way differ by themselves (their own clusters, where their memory
# and threads landed): two stacks both at 1 % sampling measured 0.978 requests/s and 1.020 CPU
# per request in one run of 20 pairs. STACKS=N (default 1) repeats the whole run with N fresh
# pairs of stacks and reports each one's medians and the median over all pairs of all of them,
# so that no single pair of stacks decides.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 6 ] || { sed -n '2,23p' "$0" >&2; exit 2; }
PAIRS=$1 SECONDS_PER_RUN=$2
NAMES=("$3" "$5") SETUPS=("$4" "$6")
SCENARIO=${SCENARIO:-get-one}
STACKS=${STACKS:-1}
PYTHON=${OTLP_RECEIVER_PYTHON:-/opt/otlp-receiver-1.45.2/bin/python3}
WORK="$(mktemp -d /tmp/compare-held.XXXXXX)"
HOLDERS=()
RECEIVER_PID=""
stop_stacks() {
    for holder in "${HOLDERS[@]}"; do kill -TERM "$holder" 2>/dev/null || true; done
    for holder in "${HOLDERS[@]}"; do wait "$holder" 2>/dev/null || true; done
    HOLDERS=()
}
cleanup() {
    stop_stacks
    [ -z "$RECEIVER_PID" ] || kill "$RECEIVER_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

if [[ "${SETUPS[*]}" == *@RECEIVER@* ]]; then
    "$PYTHON" scripts/otlp-receiver.py --port 0 --out "$WORK/spans" --count-only >"$WORK/receiver" 2>&1 &
    RECEIVER_PID=$!
    for _ in $(seq 50); do [ -s "$WORK/receiver" ] && break; sleep 0.1; done
    RECEIVER="http://127.0.0.1:$(awk '{ print $2; exit }' "$WORK/receiver")"
    SETUPS=("${SETUPS[0]//@RECEIVER@/$RECEIVER}" "${SETUPS[1]//@RECEIVER@/$RECEIVER}")
fi

# Each side: a stack from load-test.sh, held after a 1 s scenario that warms it up.
# From its "holding the stack: URL (token in FILE, pids: edge P, workers P P, data P)".
start_stacks() {
    for side in 0 1; do
        env ${SETUPS[$side]} SCENARIOS="$SCENARIO" HOLD=1 WARMUP=1 MEMORY_SAMPLE=0 LOAD_REPORT="$WORK/warm-$side.md" \
            Benchmarks/load/load-test.sh 1 >"$WORK/stack-$side.log" 2>&1 &
        HOLDERS+=($!)
    done
    for side in 0 1; do
        for _ in $(seq 300); do
            grep -q "^holding the stack" "$WORK/stack-$side.log" && break
            kill -0 "${HOLDERS[$side]}" 2>/dev/null || { echo "${NAMES[$side]}: the stack did not start:" >&2; tail -20 "$WORK/stack-$side.log" >&2; exit 1; }
            sleep 1
        done
        grep -q "^holding the stack" "$WORK/stack-$side.log" || { echo "${NAMES[$side]}: no stack after 300 s" >&2; exit 1; }
    done
    BASES=() TOKENS=() PIDS=()
    for side in 0 1; do
        line=$(grep "^holding the stack" "$WORK/stack-$side.log")
        BASES+=("$(sed 's/^holding the stack: \([^ ]*\) .*/\1/' <<<"$line")")
        TOKENS+=("$(cat "$(sed 's/.*token in \([^,]*\),.*/\1/' <<<"$line")")")
        PIDS+=("$(sed 's/.*edge \([0-9]*\), workers \([0-9 ]*\), data \([0-9]*\).*/\1|\2|\3/' <<<"$line")")
    done
}

ticks() { local sum=0 pid; for pid in "$@"; do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done; echo "$sum"; }
export LOAD_LUA_DIR="$PWD/Benchmarks/load"
: >"$WORK/runs.tsv"
for stacks in $(seq "$STACKS"); do
  start_stacks
  for pair in $(seq "$PAIRS"); do
    for side in 0 1; do
        IFS='|' read -r edge workers data <<<"${PIDS[$side]}"
        # shellcheck disable=SC2086
        before=("$(ticks "$edge")" "$(ticks $workers)" "$(ticks "$data")")
        out=$(LOAD_TOKEN="${TOKENS[$side]}" wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" -s "$LOAD_LUA_DIR/$SCENARIO.lua" "${BASES[$side]}")
        # shellcheck disable=SC2086
        after=("$(ticks "$edge")" "$(ticks $workers)" "$(ticks "$data")")
        requests=$(awk '/requests in/ { print $1 }' <<<"$out")
        rate=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
        errors=$(awk '/Non-2xx|Socket errors/ { n++ } END { print n + 0 }' <<<"$out")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$side" "$stacks.$pair" "$rate" "$requests" \
            $((after[0] - before[0])) $((after[1] - before[1])) $((after[2] - before[2])) "$errors" >>"$WORK/runs.tsv"
    done
    echo "stacks $stacks/$STACKS, pair $pair/$PAIRS" >&2
  done
  stop_stacks
done

python3 - "$WORK/runs.tsv" "${NAMES[0]}" "${NAMES[1]}" "$(getconf CLK_TCK)" "$SCENARIO" "$SECONDS_PER_RUN" "$STACKS" <<'PY'
import statistics, sys
path, a_name, b_name, hz, scenario, seconds, stacks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6], int(sys.argv[7])
runs = {0: {}, 1: {}}
errors = 0
for line in open(path):
    side, pair, rate, requests, edge, workers, data, errs = line.split("\t")
    errors += int(errs)
    per = 1e6 / hz / int(requests)  # µs of CPU per request for one tick
    runs[int(side)][pair] = (float(rate), int(edge) * per, int(workers) * per, int(data) * per)
pairs = sorted(set(runs[0]) & set(runs[1]))
med = statistics.median
def column(side, i): return [runs[side][p][i] for p in pairs]
def total(side): return [sum(runs[side][p][1:]) for p in pairs]
rate_ratios = [runs[1][p][0] / runs[0][p][0] for p in pairs]
cpu_ratios = [sum(runs[1][p][1:]) / sum(runs[0][p][1:]) for p in pairs]
held = "two held stacks" if stacks == 1 else f"{stacks} pairs of held stacks, started afresh each time"
print(f"{len(pairs)} pairs of `wrk -t2 -c64 -d{seconds}s` ({scenario}) on {held}, A then B in each pair.")
print()
print(f"| | {a_name} (A) | {b_name} (B) | B / A, median of the pairs (mean) |")
print("|---|---:|---:|---:|")
print(f"| requests/s, median | {med(column(0, 0)):.0f} | {med(column(1, 0)):.0f} | **{med(rate_ratios):.3f}** ({statistics.mean(rate_ratios):.3f}) |")
print(f"| CPU µs per request, edge + workers + data | {med(total(0)):.1f} | {med(total(1)):.1f} | **{med(cpu_ratios):.3f}** ({statistics.mean(cpu_ratios):.3f}) |")
for i, tier in ((1, "edge"), (2, "workers"), (3, "data")):
    ratios = [runs[1][p][i] / runs[0][p][i] for p in pairs]
    print(f"| CPU µs per request, {tier} | {med(column(0, i)):.1f} | {med(column(1, i)):.1f} | {med(ratios):.3f} |")
faster = sum(1 for r in rate_ratios if r > 1)
def quartiles(values):
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return f"{q[0]:.3f}–{q[2]:.3f}"
print()
print(f"B served more than A in {faster} of {len(pairs)} pairs; middle half of the pair ratios: requests/s {quartiles(rate_ratios)}, "
      f"CPU {quartiles(cpu_ratios)}; requests/s per run: A {min(column(0, 0)):.0f}–{max(column(0, 0)):.0f}, "
      f"B {min(column(1, 0)):.0f}–{max(column(1, 0)):.0f}.")
if stacks > 1:
    def stack_median(values, n): return med([v for p, v in zip(pairs, values) if p.split(".")[0] == str(n)])
    print("Medians per pair of stacks: requests/s " + ", ".join(f"{stack_median(rate_ratios, n):.3f}" for n in range(1, stacks + 1))
          + "; CPU " + ", ".join(f"{stack_median(cpu_ratios, n):.3f}" for n in range(1, stacks + 1)) + ".")
if errors: print(f"**{errors} runs reported non-2xx responses or socket errors.**")
PY
[ -z "$RECEIVER_PID" ] || echo "spans received: $(awk '{ total += $1 } END { print total + 0 }' "$WORK/spans" 2>/dev/null || echo 0)"
