#!/usr/bin/env bash
# Two builds or configurations of the stack side by side in one run: load-test.sh alternately
# with side A and side B (A B A B …), the same scenarios and load each time, then per scenario
# the median requests/s of each side and the ratio B/A. A figure from one run on a shared
# machine drifts; the alternation spreads the drift over both sides.
#
#   Benchmarks/load/compare.sh ROUNDS SECONDS A_NAME A_SETUP B_NAME B_SETUP
#
# A_SETUP and B_SETUP are environment assignments applied to that side's runs, e.g.
# "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_TRACES_SAMPLER_ARG=0.01", or
# "STACK_BIN=/path/to/other/release" to run another build; "" for none. SCENARIOS, WORKERS,
# WARMUP and the other load-test.sh variables apply to both sides. Writes the table to
# COMPARE_REPORT (default .build/compare-report.md); COMPARE_BUILD=0 skips building this tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 6 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
ROUNDS=$1 SECONDS_PER_SCENARIO=$2
NAMES=("$3" "$5") SETUPS=("$4" "$6")
REPORT=${COMPARE_REPORT:-.build/compare-report.md}
export SCENARIOS=${SCENARIOS:-"get-one get-page post"}
# The memory sampler perturbs throughput (see load-test.sh); MEMORY_SAMPLE=1 brings it back.
export MEMORY_SAMPLE=${MEMORY_SAMPLE:-0}
RESULTS="$(mktemp -d /tmp/compare.XXXXXX)"
trap 'rm -rf "$RESULTS"' EXIT

# Build once before the rounds, so no round includes a compile (COMPARE_BUILD=0 when both
# sides name their STACK_BIN).
if [ "${COMPARE_BUILD:-1}" = 1 ]; then
    for product in data worker edge; do
        PATH="/opt/swift/usr/bin:$PATH" swift build -c release --product "$product" >/dev/null
    done
fi

for round in $(seq "$ROUNDS"); do
    for side in 0 1; do
        echo "round $round/$ROUNDS: ${NAMES[$side]}" >&2
        # The setup's assignments reach load-test.sh and, through it, every service it starts.
        env ${SETUPS[$side]} LOAD_REPORT="$RESULTS/run-$round-$side.md" \
            Benchmarks/load/load-test.sh "$SECONDS_PER_SCENARIO" >"$RESULTS/run-$round-$side.log" 2>&1 \
            || { echo "load-test.sh failed for ${NAMES[$side]}:" >&2; tail -20 "$RESULTS/run-$round-$side.log" >&2; exit 1; }
        # Rows of the scenario table: | name | requests/s | p50 | p99 | errors | cpu e / w / d / pg | per statement |
        awk -F'|' -v side="$side" -v round="$round" \
            '/^\| [A-Z0-9]/ && $3 ~ /^ *[0-9]+ *$/ { gsub(/^ +| +$/, "", $2); gsub(/ /, "", $3); gsub(/ /, "", $5); gsub(/ /, "", $8); split($7, cpu, "/"); print side "\t" round "\t" $2 "\t" $3 "\t" $5 "\t" cpu[1] + cpu[2] + cpu[3] "\t" cpu[3] "\t" ($8 ~ /^[0-9.]+$/ ? $8 : "nan") }' \
            "$RESULTS/run-$round-$side.md" >>"$RESULTS/rows.tsv"
    done
done

python3 - "$RESULTS/rows.tsv" "${NAMES[0]}" "${NAMES[1]}" "$ROUNDS" <<'PY' | tee "$REPORT"
import statistics, sys
rows, a_name, b_name, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
data = {}
# Per scenario and side: the data tier's CPU µs per request and the requests its batched
# statements answered each (load-test.sh's last column), which that CPU follows.
data_tier = {}
for line in open(rows):
    side, _, scenario, rps, p99, cpu, data_cpu, per_statement = line.rstrip("\n").split("\t")
    data.setdefault(scenario, ([], [], [], [], [], []))
    data[scenario][int(side)].append(float(rps))
    data[scenario][2 + int(side)].append(float(p99))
    data[scenario][4 + int(side)].append(float(cpu))
    data_tier.setdefault(scenario, ([], [], [], []))
    data_tier[scenario][int(side)].append(float(data_cpu))
    data_tier[scenario][2 + int(side)].append(float(per_statement))
print(f"Median of {rounds} alternating rounds per side (requests/s; p99 ms in brackets). CPU: µs the\n"
      "edge, workers and data service spent per request together (PostgreSQL not counted).\n")
print(f"| Scenario | {a_name} | {b_name} | {b_name} / {a_name} | CPU µs, {a_name} | CPU µs, {b_name} | CPU {b_name} / {a_name} "
      f"| every round, {a_name} | every round, {b_name} |")
print("|---|---:|---:|---:|---:|---:|---:|---|---|")
for scenario, (a, b, a99, b99, acpu, bcpu) in data.items():
    ma, mb = statistics.median(a), statistics.median(b)
    ca, cb = statistics.median(acpu), statistics.median(bcpu)
    print(f"| {scenario} | {ma:.0f} ({statistics.median(a99):g}) | {mb:.0f} ({statistics.median(b99):g}) | {mb / ma:.3f} "
          f"| {ca:.0f} | {cb:.0f} | {cb / ca:.3f} "
          f"| {', '.join(f'{x:.0f}' for x in a)} | {', '.join(f'{x:.0f}' for x in b)} |")
print(f"\nThe data tier alone (medians): its CPU µs per request follows how many requests each batched\n"
      "statement answered, which the stack's timing sets; compare its CPU only at similar values.\n")
print(f"| Scenario | data CPU µs, {a_name} | data CPU µs, {b_name} | requests per statement, {a_name} | requests per statement, {b_name} |")
print("|---|---:|---:|---:|---:|")
for scenario, (acpu, bcpu, aper, bper) in data_tier.items():
    def median(values):
        known = [v for v in values if v == v]
        return f"{statistics.median(known):.1f}" if known else "–"
    print(f"| {scenario} | {median(acpu)} | {median(bcpu)} | {median(aper)} | {median(bper)} |")
PY
