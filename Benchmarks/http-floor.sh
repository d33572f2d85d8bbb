#!/usr/bin/env bash
# How much of the edge's cost per request is SwiftNIO's and how much is its own: the 1 KiB static
# file from the edge, from nginx (the configuration of Benchmarks/edge-static.sh), and from
# `http-floor` (Benchmarks/HTTPFloor), the least a SwiftNIO HTTP/1.1 server can do per request —
# `raw`, one handler answering each head's end with the same response, and `decoder`, NIO's
# HTTPRequestDecoder in front of it. Rounds alternate the four servers; each run is
# `wrk -t2 -c<connections> -d<seconds>s` on a keep-alive connection per client, and the
# server's user and system CPU per request come from /proc/<pid>/task/*/stat.
#
#   Benchmarks/http-floor.sh [seconds, default 6] [connections, default 64]   (ROUNDS=5)
#   EDGE_BIN=<edge> FLOOR_BIN=<http-floor> Benchmarks/http-floor.sh           (those builds)
#   BASE_EDGE_BIN=<edge of the previous build> Benchmarks/http-floor.sh       (that edge too, in
#                                           the same rounds, and the new edge / previous per round)
#
# Everything shares the machine's cores with wrk: compare the rows of one run.
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib/bench.sh
export PATH="/opt/swift/usr/bin:$PATH"

DURATION=${1:-6}
CONNECTIONS=${2:-64}
ROUNDS=${ROUNDS:-5}
CORES=$(nproc)
for tool in wrk nginx; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -n "${EDGE_BIN:-}" ] || swift build -c release --product edge >/dev/null
[ -n "${FLOOR_BIN:-}" ] || swift build -c release --product http-floor >/dev/null
BIN=$(swift build -c release --show-bin-path 2>/dev/null)
EDGE=${EDGE_BIN:-$BIN/edge}
FLOOR=${FLOOR_BIN:-$BIN/http-floor}

bench_scratch http-floor

bench_static_file
RAW_PORT=$(free_port) DECODER_PORT=$(free_port) EDGE_PORT=$(free_port) NGINX_PORT=$(free_port)
"$FLOOR" "$RAW_PORT" raw >"$TMP/raw.log" 2>&1 &
PIDS+=($!)
"$FLOOR" "$DECODER_PORT" decoder >"$TMP/decoder.log" 2>&1 &
PIDS+=($!)
"$EDGE" --http-listen "127.0.0.1:$EDGE_PORT" --static-root "$TMP/www" --worker-target "127.0.0.1:$(free_port)" \
    --admin-port "$(free_port)" --admin-host 127.0.0.1 --access-log=false --log-level warning >"$TMP/edge.log" 2>&1 &
PIDS+=($!)
EDGE_PID=$!
nginx_static_conf "$TMP" "$NGINX_PORT" "$CORES" >"$TMP/nginx.conf"
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" 2>>"$TMP/nginx-error.log" &
NGINX_MASTER=$!
PIDS+=($NGINX_MASTER)

NAMES=(raw decoder edge nginx)
PORTS=("$RAW_PORT" "$DECODER_PORT" "$EDGE_PORT" "$NGINX_PORT")
if [ -n "${BASE_EDGE_BIN:-}" ]; then
    BASE_PORT=$(free_port)
    "$BASE_EDGE_BIN" --http-listen "127.0.0.1:$BASE_PORT" --static-root "$TMP/www" --worker-target "127.0.0.1:$(free_port)" \
        --admin-port "$(free_port)" --admin-host 127.0.0.1 --access-log=false --log-level warning >"$TMP/base.log" 2>&1 &
    PIDS+=($!)
    BASE_PID=$!
    NAMES+=(base)
    PORTS+=("$BASE_PORT")
fi
for port in "${PORTS[@]}"; do
    for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/static/1k.txt" && break; sleep 0.1; done
    curl -sf -o /dev/null "http://127.0.0.1:$port/static/1k.txt" || { echo "nothing answers on $port:" >&2; for log in "$TMP"/*.log; do echo "$log:"; tail -n 3 "$log"; done >&2; exit 1; }
done
server_pids() {
    case "$1" in
        raw) pgrep -f "$FLOOR $RAW_PORT raw" ;;
        decoder) pgrep -f "$FLOOR $DECODER_PORT decoder" ;;
        edge) echo "$EDGE_PID" ;;
        base) echo "$BASE_PID" ;;
        nginx) pgrep -P "$NGINX_MASTER" ;;
    esac
}
# "user system" clock ticks of every thread of the given processes.
ticks() {
    local user=0 system=0 u s
    for pid in "$@"; do
        for stat in /proc/"$pid"/task/*/stat; do
            read -r u s < <(awk '{ print $14, $15 }' "$stat" 2>/dev/null || echo "0 0")
            user=$((user + u)) system=$((system + s))
        done
    done
    echo "$user $system"
}
HZ=$(getconf CLK_TCK)
# Prints "requests/s user-µs system-µs" for one run against server $1.
measure() {
    local name=$1 port=$2 pids u1 s1 u2 s2 requests rps
    read -ra pids < <(server_pids "$name" | tr '\n' ' ')
    read -r u1 s1 < <(ticks "${pids[@]}")
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$port/static/1k.txt" >"$TMP/wrk.out"
    read -r u2 s2 < <(ticks "${pids[@]}")
    requests=$(awk '/requests in/ { print $1 }' "$TMP/wrk.out")
    rps=$(awk '/Requests\/sec/ { print $2 }' "$TMP/wrk.out")
    python3 -c "print($rps, round(($u2 - $u1) * 1e6 / $HZ / $requests, 2), round(($s2 - $s1) * 1e6 / $HZ / $requests, 2))"
}

for i in "${!NAMES[@]}"; do wrk -t1 -c8 -d2s "http://127.0.0.1:${PORTS[$i]}/static/1k.txt" >/dev/null; done
for round in $(seq "$ROUNDS"); do
    for i in "${!NAMES[@]}"; do
        echo "${NAMES[$i]} $(measure "${NAMES[$i]}" "${PORTS[$i]}")" >>"$TMP/results"
    done
    echo "round $round/$ROUNDS done" >&2
done

echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s, 1 KiB static, $ROUNDS alternating rounds, medians; $CORES cores; $("$NGINX" -v 2>&1 | sed 's/.*: //')"
echo
echo "| server | requests/s | / nginx | user µs per request | system µs per request |"
echo "|---|---:|---:|---:|---:|"
python3 - "$TMP/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, user, system = line.split()
    rows.setdefault(name, []).append((float(rps), float(user), float(system)))
median = {name: [statistics.median(column) for column in zip(*runs)] for name, runs in rows.items()}
labels = {"raw": "http-floor raw (one handler)", "decoder": "http-floor decoder (NIO's HTTP decoder + one handler)",
          "edge": "edge", "base": "edge, previous build (BASE_EDGE_BIN)", "nginx": "nginx"}
for name in ("raw", "decoder", "edge", "base", "nginx"):
    if name not in median:
        continue
    rps, user, system = median[name]
    print(f"| {labels[name]} | {rps:.0f} | {rps / median['nginx'][0]:.2f}× | {user:.2f} | {system:.2f} |")
if "base" in rows:
    ratios = [new[0] / old[0] for new, old in zip(rows["edge"], rows["base"])]
    print()
    print("edge / previous build, requests/s per round:", " ".join(f"{r:.3f}" for r in ratios),
          f"(median {statistics.median(ratios):.3f}, {sum(r > 1 for r in ratios)} of {len(ratios)} rounds above 1)")
PY
