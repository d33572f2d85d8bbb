#!/usr/bin/env bash
# The whole stack under load: edge → worker(s) → data → PostgreSQL, release builds, loopback.
#
#   Benchmarks/load/load-test.sh [seconds per scenario, default 15] [connections, default 64]
#
# 1. Starts a throwaway PostgreSQL cluster (as the postgres account when root), applies the
#    migrations, and seeds a fixed data set: users user0001..user1000, each with 100 microposts
#    whose ids, texts and timestamps depend only on their position (user N owns ids
#    (N-1)*100+1 .. N*100). One user is registered through the API; the other 999 get a copy of
#    its password hash by SQL, because 999 PBKDF2 hashes at 600 000 iterations would take
#    minutes and measure nothing we want.
# 2. Starts data ×1, worker ×WORKERS (default 2) and edge ×1 as separate processes, the RPC
#    hops between them on loopback TCP (RPC_TRANSPORT=unix: Unix sockets).
# 3. Logs in as user0001 and, for each scenario, warms up for WARMUP seconds (default 3) and
#    measures with wrk for the given time: GET one micropost, GET a page of 100, POST a
#    micropost, a 1 KiB static file. Every request carries the bearer token.
# 4. Prints requests/s, p50, p99, errors (connect/read/write/timeouts and statuses ≥ 400), the
#    CPU time each tier spent per request (from /proc/<pid>/stat, PostgreSQL's backends summed),
#    and the peak resident memory (VmHWM) of every process, and writes the Markdown table to
#    LOAD_REPORT (default .build/load-report.md). RSS counts the pages of shared libraries and
#    of the one `worker` binary in every process that maps them, so the total is measured as
#    PSS (each shared page divided among the processes sharing it), summed over the processes
#    and sampled every 0.5 s during the measurements: the highest sum is reported.
#    MEMORY_SAMPLE=0 turns the sampler off: reading smaps_rollup takes each process's mmap
#    lock, and it moved a throughput comparison by 25 % (README, "What tracing costs"), so
#    compare.sh runs without it.
#
# HOLD=1 keeps the stack running after the table (for perf or manual wrk runs) until Ctrl-C;
# DATA_ARGS, WORKER_ARGS, EDGE_ARGS and PG_OPTIONS pass extra options to those processes;
# RPC_TRANSPORT=unix puts the RPC hops on Unix sockets instead of loopback TCP;
# STACK_BIN=<folder> runs the edge, worker and data found there instead of building this tree
# (another build, for Benchmarks/load/compare.sh);
# DATA_WRAPPER runs the data service under a tool (e.g. DATA_WRAPPER="heaptrack -o /tmp/data";
# the data row's memory is then the tool's, not the service's).
# PEER=monolith measures the stack against the monolith anchor (../shared/anchors/monolith, or
# MONOLITH_DIR) on the same seeded database instead: ROUNDS (default 3) alternating rounds of
# each scenario but the static file, one table of both sides' medians and their ratios, with
# the monolith's pool (MONOLITH_POOL) as large as the data service's; see
# Benchmarks/load/peer-monolith.sh.
# OVERLOAD=1 measures open-loop overload instead (issue 18): per scenario of SCENARIOS (default
# get-one; get-page and post too) the closed-loop wrk peak, then h2load over HTTP/1.1 at a fixed
# arrival rate of OVERLOAD_FACTORS (default "2 4") × that peak, one request in flight per
# connection on OVERLOAD_CLIENTS connections (default the rate × 100 ms; more than 250 turn the
# edge's cap per address off): offered and really started rate, goodput (2xx within 1 s)
# against the peak, p50/p99 of the 2xx, 503s and their p99, other statuses, failed and never
# answered requests, curl probes meanwhile (latency, Retry-After), and the share of GET reads
# the data service merged (h2load's clients walk one URI list in lockstep); see
# Benchmarks/load/overload.sh.
#
# Everything listens on 127.0.0.1 and stops when the script ends. wrk shares the cores with
# the stack, so compare rows of one run, not runs on different machines.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

DURATION=${1:-15}
CONNECTIONS=${2:-64}
WARMUP=${WARMUP:-3}
THREADS=${WRK_THREADS:-2}
WORKERS=${WORKERS:-2}
REPORT=${LOAD_REPORT:-.build/load-report.md}
OVERLOAD=${OVERLOAD:-0}
[ "$OVERLOAD" = 0 ] || SCENARIOS=${SCENARIOS:-get-one}
SCENARIOS=${SCENARIOS:-"get-one get-page post static"}
LUA_DIR="$(pwd)/Benchmarks/load"
# The RPC hops run over loopback TCP, as between containers; RPC_TRANSPORT=unix puts them on
# Unix sockets, as nginx and uWSGI on one machine usually talk.
RPC_TRANSPORT=${RPC_TRANSPORT:-tcp}
case "$RPC_TRANSPORT" in unix | tcp) ;; *) echo "RPC_TRANSPORT must be unix or tcp" >&2; exit 2 ;; esac
PEER=${PEER:-}
# shellcheck source=Benchmarks/load/peer-monolith.sh
case "$PEER" in "") ;; monolith) source "$LUA_DIR/peer-monolith.sh" ;; *) echo "PEER must be monolith or unset" >&2; exit 2 ;; esac
# shellcheck source=Benchmarks/load/overload.sh
case "$OVERLOAD" in 0) ;; 1) source "$LUA_DIR/overload.sh" ;; *) echo "OVERLOAD must be 1 or 0" >&2; exit 2 ;; esac
[ -z "$PEER" ] || [ "$OVERLOAD" = 0 ] || { echo "PEER and OVERLOAD are separate runs" >&2; exit 2; }

install_if_missing() { # <command> <package>
    command -v "$1" >/dev/null 2>&1 && return
    [ "$(id -u)" = 0 ] || { echo "$1 is missing: sudo apt-get install $2" >&2; exit 1; }
    echo "installing $2 with apt-get..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
install_if_missing wrk wrk
install_if_missing curl curl
[ "$OVERLOAD" = 0 ] || install_if_missing h2load nghttp2-client
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || install_if_missing psql postgresql
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

if [ -n "${STACK_BIN:-}" ]; then
    BIN="$STACK_BIN"
else
    echo "building release binaries..." >&2
    for product in data worker edge; do
        swift build -c release --product "$product" >/dev/null || { echo "release build of $product failed" >&2; exit 1; }
    done
    BIN="$(swift build -c release --show-bin-path)"
fi
[ -z "$PEER" ] || peer_build

WORK="$(mktemp -d /tmp/load-test.XXXXXX)"
chmod 755 "$WORK"
AS_PG=()
if [ "$(id -u)" = 0 ]; then
    chown postgres "$WORK"
    AS_PG=(runuser -u postgres --)
fi
PIDS=()
cleanup() {
    # Children first: a DATA_WRAPPER tool runs the service as its child.
    for pid in "${PIDS[@]}"; do pkill -TERM -P "$pid" 2>/dev/null || true; kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { # <url> <pid>
    for _ in $(seq 300); do
        curl -fs -o /dev/null "$1" && return
        kill -0 "$2" 2>/dev/null || { echo "process $2 exited before $1 was ready" >&2; exit 1; }
        sleep 0.1
    done
    echo "not ready: $1" >&2; exit 1
}

# --- PostgreSQL, migrated and seeded ---------------------------------------------------

PG_PORT=$(free_port)
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -w -l "$WORK/pg.log" \
    -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 ${PG_OPTIONS:-}" start >/dev/null
"${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres microposts
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/microposts?sslmode=disable"
psql_run() { "${AS_PG[@]}" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d microposts -v ON_ERROR_STOP=1 -qtAc "$1"; }
"$BIN/data" migrate --log-level warning >/dev/null

# --- The stack ---------------------------------------------------------------------------

export JWT_SECRET="load-test-secret-that-is-long-enough-0123456789"
export LOG_LEVEL=${LOG_LEVEL:-warning}
DATA_PORT=$(free_port); DATA_ADMIN=$(free_port)
rpc_address() { # <name> <port>
    if [ "$RPC_TRANSPORT" = unix ]; then echo "unix:$WORK/$1.sock"; else echo "127.0.0.1:$2"; fi
}
DATA_RPC=$(rpc_address data "$DATA_PORT")
${DATA_WRAPPER:-} "$BIN/data" --rpc-listen "$DATA_RPC" --admin-host 127.0.0.1 --admin-port "$DATA_ADMIN" \
    ${DATA_ARGS:-} >"$WORK/data.log" 2>&1 &
DATA_PID=$!; PIDS+=("$DATA_PID")
wait_ready "http://127.0.0.1:$DATA_ADMIN/readyz" "$DATA_PID"

WORKER_PIDS=(); WORKER_TARGETS=()
for i in $(seq "$WORKERS"); do
    port=$(free_port); admin=$(free_port)
    address=$(rpc_address "worker$i" "$port")
    "$BIN/worker" --rpc-listen "$address" --admin-host 127.0.0.1 --admin-port "$admin" \
        --data-target "$DATA_RPC" ${WORKER_ARGS:-} >"$WORK/worker$i.log" 2>&1 &
    WORKER_PIDS+=($!); PIDS+=($!)
    WORKER_TARGETS+=("$address")
    wait_ready "http://127.0.0.1:$admin/readyz" "$!"
done

mkdir -p "$WORK/www"
head -c 768 /dev/zero | tr '\0' 'x' | base64 -w0 | head -c 1024 >"$WORK/www/1k.txt"
EDGE_PORT=$(free_port); EDGE_ADMIN=$(free_port)
"$BIN/edge" --http-listen "127.0.0.1:$EDGE_PORT" --admin-host 127.0.0.1 --admin-port "$EDGE_ADMIN" \
    --static-root "$WORK/www" --worker-target "$(IFS=,; echo "${WORKER_TARGETS[*]}")" \
    ${EDGE_ARGS:-} >"$WORK/edge.log" 2>&1 &
EDGE_PID=$!; PIDS+=("$EDGE_PID")
wait_ready "http://127.0.0.1:$EDGE_ADMIN/readyz" "$EDGE_PID"
BASE="http://127.0.0.1:$EDGE_PORT"

echo "seeding 1000 users × 100 microposts..." >&2
PASSWORD="load-test-password"
curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"user0001\",\"password\":\"$PASSWORD\"}" "$BASE/api/users"
psql_run "
INSERT INTO users (username, password_hash, created_at)
SELECT format('user%s', lpad(n::text, 4, '0')), (SELECT password_hash FROM users WHERE username = 'user0001'),
       timestamptz '2026-01-01 00:00:00+00' + n * interval '1 minute'
FROM generate_series(2, 1000) AS n ORDER BY n;
INSERT INTO microposts (author_id, text, referenced_id, created_at, updated_at)
SELECT u.id, format('Micropost %s of %s: deterministic seed text for the load test.', p, u.username),
       NULL, t, t
FROM users u CROSS JOIN generate_series(1, 100) AS p
CROSS JOIN LATERAL (SELECT timestamptz '2026-02-01 00:00:00+00' + (u.id * 100 + p) * interval '1 second') AS ts(t)
ORDER BY u.username, p;
ANALYZE;"
# Scenario scripts derive a post's author from its id; make sure the seed matches that rule.
mismatched=$(psql_run "SELECT count(*) FROM microposts m JOIN users u ON u.id = m.author_id
    WHERE u.username <> format('user%s', lpad(((m.id - 1) / 100 + 1)::text, 4, '0'))")
[ "$mismatched" = 0 ] || { echo "seed does not follow the id rule ($mismatched rows)" >&2; exit 1; }

TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
    -d "{\"grant_type\":\"client_credentials\",\"client_id\":\"user0001\",\"client_secret\":\"$PASSWORD\"}" \
    "$BASE/api/token" | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "login failed" >&2; exit 1; }
export LOAD_TOKEN="$TOKEN" LOAD_LUA_DIR="$LUA_DIR"

# --- Measure -------------------------------------------------------------------------------

peak_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1"; }
declare -A LABEL=(
    [get-one]="GET one micropost"
    [get-page]="GET a page of 100"
    [post]="POST a micropost"
    [static]="1 KiB static file"
)

# Highest sum of PSS over the stack's processes, sampled while wrk runs.
sample_pss() { # <output file> <pids...>
    local out=$1; shift
    local peak=0 sum pid kib
    while :; do
        sum=0
        for pid in "$@"; do
            kib=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
            sum=$((sum + ${kib:-0}))
        done
        ((sum > peak)) && peak=$sum && echo "$peak" >"$out"
        sleep 0.5
    done
}
echo 0 >"$WORK/pss-peak"
SAMPLER_PID=
if [ "${MEMORY_SAMPLE:-1}" = 1 ]; then
    sample_pss "$WORK/pss-peak" "$EDGE_PID" "${WORKER_PIDS[@]}" "$DATA_PID" &
    SAMPLER_PID=$!
    PIDS+=("$SAMPLER_PID")
fi
[ -z "$PEER" ] || peer_start

# CPU time (user + system, in clock ticks) a process has used so far; nothing once it has
# exited. Per request, it varies far less between runs than requests/s on a shared machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
TICK_MICROSECONDS=$((1000000 / $(getconf CLK_TCK)))

# Requests the data service's batched statements answered, and the statements: summed over its
# batchers (db_batch_requests). How many requests one statement answers moves the data tier's
# CPU per request more than anything the data service does itself (GET one, one build under
# one load: ~76 µs at 6 requests per statement, ~55 µs at 11), and it follows the stack's
# timing: compare the data column of two runs only at similar values.
batched_requests() {
    curl -fs "http://127.0.0.1:$DATA_ADMIN/metrics" 2>/dev/null \
        | awk '/^db_batch_requests_sum/ { sum += $2 } /^db_batch_requests_count/ { count += $2 } END { print sum + 0, count + 0 }'
}
per_statement() { # <"sum count" before> <"sum count" after>
    awk -v before="$1" -v after="$2" 'BEGIN { split(before, b, " "); split(after, a, " ")
        if (a[2] > b[2]) printf "%.1f", (a[1] - b[1]) / (a[2] - b[2]); else printf "–" }'
}

# One scenario against <base URL>: wrk for WARMUP seconds, then for DURATION seconds measured.
# Sets RESULT (the scenario's LOAD_RESULT JSON), REQUESTS, ERRORS (connect/read/write/timeouts
# and statuses ≥ 400) and CPU_US: the CPU µs per request of each group of processes given (pids
# separated by spaces), then of PostgreSQL's backends. A process that exits while measured (a
# pooled connection closed for being idle) is left out of its group's sum.
measure() { # <scenario> <base URL> <pid group>...
    local script="$LUA_DIR/$1.lua" base=$2 out group pid now ticks
    shift 2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$script" "$base" >/dev/null
    # PostgreSQL's backends are the children of its postmaster alive now (after the warm-up).
    local groups=("$@" "$(pgrep -P "$(head -1 "$WORK/pg/postmaster.pid")" | tr '\n' ' ')")
    local -A start=()
    for group in "${groups[@]}"; do for pid in $group; do start[$pid]=$(cpu_ticks "$pid"); done; done
    local batched_before; batched_before=$(batched_requests)
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$script" "$base")
    COALESCING=$(per_statement "$batched_before" "$(batched_requests)")
    RESULT=$(grep '^LOAD_RESULT' <<<"$out" | sed 's/^LOAD_RESULT //')
    ERRORS=$(( $(field "$RESULT" connect_errors) + $(field "$RESULT" read_errors) + $(field "$RESULT" write_errors) \
        + $(field "$RESULT" timeouts) + $(field "$RESULT" bad_status) ))
    REQUESTS=$(field "$RESULT" requests)
    CPU_US=()
    for group in "${groups[@]}"; do
        ticks=0
        for pid in $group; do
            now=$(cpu_ticks "$pid") && [ -n "$now" ] && [ -n "${start[$pid]}" ] && ticks=$((ticks + now - start[$pid]))
        done
        CPU_US+=("$(( ticks * TICK_MICROSECONDS / (REQUESTS > 0 ? REQUESTS : 1) ))")
    done
}

# The stack's processes and PostgreSQL in words, for the reports.
describe_stack() {
    echo "edge ×1, worker ×$WORKERS, data ×1, PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'); release builds; RPC over $( [ "$RPC_TRANSPORT" = unix ] && echo "Unix sockets" || echo "loopback TCP")"
}

TOTAL_KIB=0
MEMORY=()
add_memory() { # <name> <pid>
    local kib; kib=$(peak_kib "$2")
    TOTAL_KIB=$((TOTAL_KIB + kib))
    MEMORY+=("| $1 | $(mib "$kib") |")
}

# The stack alone: every scenario once, each tier's CPU, every process's memory.
stack_report() {
    local rows=() scenario i
    for scenario in $SCENARIOS; do
        echo "measuring $scenario for ${DURATION}s..." >&2
        measure "$scenario" "$BASE" "$EDGE_PID" "${WORKER_PIDS[*]}" "$DATA_PID"
        rows+=("| ${LABEL[$scenario]} | $(printf '%.0f' "$(field "$RESULT" rps)") | $(field "$RESULT" p50_ms) | $(field "$RESULT" p99_ms) | $ERRORS / $REQUESTS | ${CPU_US[0]} / ${CPU_US[1]} / ${CPU_US[2]} / ${CPU_US[3]} | $COALESCING |")
    done
    add_memory edge "$EDGE_PID"
    for i in "${!WORKER_PIDS[@]}"; do add_memory "worker $((i + 1))" "${WORKER_PIDS[$i]}"; done
    add_memory data "$DATA_PID"
    [ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true

    echo "Stack: $(describe_stack)."
    echo "Load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s\` after a ${WARMUP}s warm-up, bearer token on every request, all on $(nproc) cores of $(uname -m) Linux ($(date -u +%Y-%m-%d))."
    echo
    echo "| Scenario | Requests/s | p50 (ms) | p99 (ms) | Errors / requests | CPU µs per request: edge / workers / data / PostgreSQL | Requests per data statement |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "| Process | Peak RSS (MiB) |"
    echo "|---|---:|"
    printf '%s\n' "${MEMORY[@]}"
    echo "| edge + workers + data, sum of peak RSS | $(mib "$TOTAL_KIB") |"
    if [ -n "$SAMPLER_PID" ]; then
        echo "| **edge + workers + data, peak of summed PSS** | **$(mib "$(cat "$WORK/pss-peak")")** |"
    else
        echo "| edge + workers + data, peak of summed PSS | not sampled (MEMORY_SAMPLE=0) |"
    fi
    echo
    echo "Microposts in the database at the end: $(psql_run "SELECT count(*) FROM microposts") (100 000 seeded)."
}

if [ -n "$PEER" ]; then peer_report; elif [ "$OVERLOAD" = 1 ]; then overload_report; else stack_report; fi | tee "$REPORT"

for log in "$WORK"/*.log; do
    grep -qiE '\b(error|critical)\b' "$log" && { echo "--- $(basename "$log") has errors:" >&2; grep -m5 -iE '\b(error|critical)\b' "$log" >&2; }
done

if [ "${HOLD:-0}" = 1 ]; then
    echo "holding the stack: $BASE (token in $WORK/token, pids: edge $EDGE_PID, workers ${WORKER_PIDS[*]}, data $DATA_PID${MONOLITH_BASE:+; monolith $MONOLITH_BASE, pid $MONOLITH_PID}); Ctrl-C stops it" >&2
    echo "$TOKEN" >"$WORK/token"
    while kill -0 "$EDGE_PID" 2>/dev/null; do sleep 1; done
fi
