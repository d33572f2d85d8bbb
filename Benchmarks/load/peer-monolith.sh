# shellcheck shell=bash
# The stack against the monolith anchor, for Benchmarks/load/load-test.sh with PEER=monolith
# (sourced by it; not run on its own):
#
#   PEER=monolith [ROUNDS=3] Benchmarks/load/load-test.sh [seconds per round] [connections]
#
# The anchor (../shared/anchors/monolith beside the repository, or MONOLITH_DIR; see its
# README.md) is one Hummingbird + PostgresNIO process serving the three micropost requests
# straight from the project's schema, without authentication (the bearer token is ignored).
# It is built in release mode into .build-monolith (from a copy of its folder there, because
# SwiftPM writes Package.resolved beside Package.swift and the shared folder stays untouched),
# started on a free loopback port against the load test's own seeded PostgreSQL, and then, for
# each scenario but the static file (the anchor serves no files), ROUNDS rounds alternate the
# stack and the anchor — stack first in odd rounds, anchor first in even ones — each with the
# same warm-up, duration, wrk script and connections. The table has per scenario both sides'
# median requests/s, p99 and CPU µs per request (edge + workers + data against the anchor's one
# process; PostgreSQL's backends beside), the ratios stack / monolith, and every round's
# requests/s. The anchor's pool (PG_POOL_MAX) is MONOLITH_POOL, by default the data service's
# pool size: --db-pool-size in DATA_ARGS, else DB_POOL_SIZE, set to 8 (the data service's
# default) when neither is given.
#
# The GET scenarios read only the 100 000 seeded posts (ids 1..100 000, authors derived from
# the ids), which POSTs by either side never change: a POST adds a post of user0001 with a new
# id, so at worst user0001's first page shows posted rows instead of seeded ones, still 100.

MONOLITH_DIR=${MONOLITH_DIR:-../shared/anchors/monolith}
ROUNDS=${ROUNDS:-3}
DATA_POOL=$(sed -n 's/.*--db-pool-size[= ]*\([0-9][0-9]*\).*/\1/p' <<<"${DATA_ARGS:-}")
if [ -z "$DATA_POOL" ]; then
    export DB_POOL_SIZE=${DB_POOL_SIZE:-8}
    DATA_POOL=$DB_POOL_SIZE
fi
MONOLITH_POOL=${MONOLITH_POOL:-$DATA_POOL}

# Sets MONOLITH_BIN.
peer_build() {
    [ -f "$MONOLITH_DIR/Package.swift" ] || { echo "no monolith anchor at $MONOLITH_DIR (set MONOLITH_DIR)" >&2; exit 1; }
    local copy=.build-monolith/anchor
    # Copied again only when it changed, so that an unchanged anchor is not recompiled.
    if ! diff -rq -x .build -x .swiftpm -x Package.resolved "$MONOLITH_DIR" "$copy" >/dev/null 2>&1; then
        chmod -R u+w "$copy" 2>/dev/null || true
        rm -rf "$copy" && mkdir -p "$copy"
        tar -C "$MONOLITH_DIR" --exclude=./.build --exclude=./.swiftpm -cf - . | tar -C "$copy" -xf -
        chmod -R u+w "$copy" # the shared folder is read-only; SwiftPM writes Package.resolved here
    fi
    local build=(swift build -c release --package-path "$copy" --scratch-path .build-monolith)
    echo "building the monolith anchor (release)..." >&2
    nice -n 19 "${build[@]}" --product Monolith >/dev/null || { echo "release build of the monolith anchor failed" >&2; exit 1; }
    MONOLITH_BIN="$("${build[@]}" --show-bin-path)/Monolith"
}

# Starts the anchor on the seeded database, and its PSS sampler; sets MONOLITH_PID,
# MONOLITH_BASE and MONOLITH_SAMPLER_PID.
peer_start() {
    local port; port=$(free_port)
    DATABASE_URL="$DATABASE_URL" HOST=127.0.0.1 PORT="$port" PG_POOL_MAX="$MONOLITH_POOL" \
        "$MONOLITH_BIN" >"$WORK/monolith.log" 2>&1 &
    MONOLITH_PID=$!; PIDS+=("$MONOLITH_PID")
    MONOLITH_BASE="http://127.0.0.1:$port"
    wait_ready "$MONOLITH_BASE/api/users/user0001/collection/1" "$MONOLITH_PID"
    echo 0 >"$WORK/monolith-pss-peak"
    sample_pss "$WORK/monolith-pss-peak" "$MONOLITH_PID" &
    MONOLITH_SAMPLER_PID=$!; PIDS+=("$MONOLITH_SAMPLER_PID")
}

# Measures both sides alternately and prints the Markdown report.
peer_report() {
    local rows="$WORK/peer-rows.tsv" scenario round side order pid
    : >"$rows"
    for scenario in $SCENARIOS; do
        [ "$scenario" = static ] && { echo "skipping static: the monolith serves no files" >&2; continue; }
        for round in $(seq "$ROUNDS"); do
            order=(stack monolith)
            ((round % 2)) || order=(monolith stack)
            for side in "${order[@]}"; do
                echo "$scenario, round $round/$ROUNDS: $side for ${DURATION}s..." >&2
                if [ "$side" = stack ]; then
                    measure "$scenario" "$BASE" "$EDGE_PID ${WORKER_PIDS[*]} $DATA_PID"
                else
                    measure "$scenario" "$MONOLITH_BASE" "$MONOLITH_PID"
                fi
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$side" "$(field "$RESULT" rps)" \
                    "$(field "$RESULT" p99_ms)" "$ERRORS" "$REQUESTS" "${CPU_US[0]}" "${CPU_US[1]}" >>"$rows"
            done
        done
    done
    add_memory edge "$EDGE_PID"
    for pid in "${WORKER_PIDS[@]}"; do add_memory worker "$pid"; done
    add_memory data "$DATA_PID"
    kill $SAMPLER_PID "$MONOLITH_SAMPLER_PID" 2>/dev/null || true  # SAMPLER_PID is empty when MEMORY_SAMPLE=0

    echo "Stack: $(describe_stack); data service pool $DATA_POOL connections."
    echo "Monolith: the anchor at $MONOLITH_DIR, one process, PG_POOL_MAX=$MONOLITH_POOL, release build, on the same database."
    echo "Load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s\` after a ${WARMUP}s warm-up per round, the same script for both sides, bearer token on every request (the monolith ignores it); rounds per scenario: $ROUNDS, alternating the sides (medians shown); all on $(nproc) cores of $(uname -m) Linux ($(date -u +%Y-%m-%d))."
    echo
    python3 - "$rows" "get-one=${LABEL[get-one]}" "get-page=${LABEL[get-page]}" "post=${LABEL[post]}" <<'PY'
import statistics, sys
labels = dict(arg.split("=", 1) for arg in sys.argv[2:])
runs = {}
for line in open(sys.argv[1]):
    scenario, side, rps, p99, errors, requests, cpu, pg = line.rstrip("\n").split("\t")
    runs.setdefault(scenario, {}).setdefault(side, []).append(
        (float(rps), float(p99), int(errors), int(requests), int(cpu), int(pg)))
print("| Scenario | Requests/s: stack | monolith | stack / monolith | p99 (ms): stack | monolith "
      "| stack / monolith | CPU µs per request: stack (edge + workers + data) / monolith "
      "| PostgreSQL µs per request: stack / monolith | Errors / requests: stack; monolith "
      "| every round's requests/s: stack; monolith |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for scenario, sides in runs.items():
    def median(side, i):
        return statistics.median(run[i] for run in sides[side])
    def total(side, i):
        return sum(run[i] for run in sides[side])
    def rounds(side):
        return ", ".join(f"{run[0]:.0f}" for run in sides[side])
    print(f"| {labels.get(scenario, scenario)} | {median('stack', 0):.0f} | {median('monolith', 0):.0f} "
          f"| {median('stack', 0) / median('monolith', 0):.2f} "
          f"| {median('stack', 1):.2f} | {median('monolith', 1):.2f} | {median('stack', 1) / median('monolith', 1):.2f} "
          f"| {median('stack', 4):.0f} / {median('monolith', 4):.0f} | {median('stack', 5):.0f} / {median('monolith', 5):.0f} "
          f"| {total('stack', 2)} / {total('stack', 3)}; {total('monolith', 2)} / {total('monolith', 3)} "
          f"| {rounds('stack')}; {rounds('monolith')} |")
PY
    echo
    echo "Peak memory: the monolith $(mib "$(peak_kib "$MONOLITH_PID")") MiB RSS, $(mib "$(cat "$WORK/monolith-pss-peak")") MiB PSS; edge + workers + data $(mib "$TOTAL_KIB") MiB summed RSS, $(mib "$(cat "$WORK/pss-peak")") MiB summed PSS."
    echo "Microposts in the database at the end: $(psql_run "SELECT count(*) FROM microposts") (100 000 seeded)."
}
