#!/usr/bin/env bash
# Load test of the edge against nginx on this machine (see README, "Edge benchmark").
#
#   Benchmarks/edge-static.sh [seconds] [connections]     (ROUNDS=3 by default)
#
# Builds `edge` and `worker` in release mode and measures with wrk:
#   1. a 1 KiB static file served by the edge (sendfile, access log off);
#   2. the same file served by nginx from Debian's packages (installed if missing) with an
#      equivalent configuration: same folder, same number of worker processes as the edge
#      has event-loop threads (one per core), sendfile on, access log off, keep-alive without
#      a request cap (the edge has none);
#   3. a proxied API request: GET /api/openapi.json through the edge to one real `worker`
#      process over the RPC. It is the worker's one route that needs no database, so it
#      measures edge + RPC + worker routing and JSON, not PostgreSQL.
# Everything runs on loopback and shares the machine's cores with wrk, so the numbers are
# relative: compare rows of one run, not runs on different machines.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-10}
CONNECTIONS=${2:-64}
THREADS=${WRK_THREADS:-2}
ROUNDS=${ROUNDS:-3}
CORES=$(nproc)

install_if_missing() {
    command -v "$1" >/dev/null 2>&1 && return
    echo "installing $2 with apt-get..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
install_if_missing wrk wrk
[ -x /usr/sbin/nginx ] || install_if_missing nginx nginx-light || install_if_missing nginx nginx
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

swift build -c release --product edge >/dev/null 2>&1 || { echo "release build of edge failed" >&2; exit 1; }
swift build -c release --product worker >/dev/null 2>&1 || { echo "release build of worker failed" >&2; exit 1; }
BIN=$(swift build -c release --show-bin-path 2>/dev/null)

TMP=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return; sleep 0.1; done; echo "not answering: $1" >&2; exit 1; }

# nginx's workers run as nobody: the folder must be readable by others.
chmod 755 "$TMP"
mkdir -p "$TMP/www"
head -c 768 /dev/urandom | base64 -w0 | head -c 1024 > "$TMP/www/1k.txt"

EDGE_PORT=$(free_port); WORKER_PORT=$(free_port); NGINX_PORT=$(free_port)

"$BIN/worker" --rpc-listen "127.0.0.1:$WORKER_PORT" --admin-port "$(free_port)" --admin-host 127.0.0.1 \
    --log-level warning >"$TMP/worker.log" 2>&1 &
PIDS+=($!)
"$BIN/edge" --http-listen "127.0.0.1:$EDGE_PORT" --static-root "$TMP/www" --worker-target "127.0.0.1:$WORKER_PORT" \
    --admin-port "$(free_port)" --admin-host 127.0.0.1 --access-log=false --log-level warning >"$TMP/edge.log" 2>&1 &
PIDS+=($!)

cat >"$TMP/nginx.conf" <<CONF
worker_processes $CORES;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 60s;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    types { text/plain txt; }
    client_body_temp_path $TMP/nginx-body;
    proxy_temp_path $TMP/nginx-proxy;
    fastcgi_temp_path $TMP/nginx-fastcgi;
    uwsgi_temp_path $TMP/nginx-uwsgi;
    scgi_temp_path $TMP/nginx-scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location /static/ { alias $TMP/www/; etag on; }
    }
}
CONF
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" 2>>"$TMP/nginx-error.log" &
PIDS+=($!)

wait_http "http://127.0.0.1:$EDGE_PORT/static/1k.txt"
wait_http "http://127.0.0.1:$NGINX_PORT/static/1k.txt"
cmp <(curl -s "http://127.0.0.1:$EDGE_PORT/static/1k.txt") <(curl -s "http://127.0.0.1:$NGINX_PORT/static/1k.txt")

# Prints "requests/s p50 p99" for one wrk run.
measure() {
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1" >"$TMP/wrk.out"
    local rps p50 p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.out")
    p50=$(awk '$1 == "50%" {print $2}' "$TMP/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$TMP/wrk.out")
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$TMP/wrk.out" | tr '\n' ' ')
    [ -n "$errors" ] && echo "warning: $1: $errors" >&2
    echo "$rps $p50 $p99"
}

# Warm up both servers (and the edge's connection to the worker) before measuring.
wrk -t1 -c8 -d2s "http://127.0.0.1:$EDGE_PORT/static/1k.txt" >/dev/null
wrk -t1 -c8 -d2s "http://127.0.0.1:$NGINX_PORT/static/1k.txt" >/dev/null
API_STATUS=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$EDGE_PORT/api/openapi.json")

# Alternate the two servers for ROUNDS rounds and keep each one's median round, so a burst
# of other work on the machine cannot favour whichever happened to run during it.
EDGE_ROUNDS=(); NGINX_ROUNDS=()
for _ in $(seq "$ROUNDS"); do
    EDGE_ROUNDS+=("$(measure "http://127.0.0.1:$EDGE_PORT/static/1k.txt")")
    NGINX_ROUNDS+=("$(measure "http://127.0.0.1:$NGINX_PORT/static/1k.txt")")
done
median_round() { printf '%s\n' "$@" | sort -g -k1,1 | awk '{ rounds[NR] = $0 } END { print rounds[int((NR + 1) / 2)] }'; }
read -r EDGE_RPS EDGE_P50 EDGE_P99 < <(median_round "${EDGE_ROUNDS[@]}")
read -r NGINX_RPS NGINX_P50 NGINX_P99 < <(median_round "${NGINX_ROUNDS[@]}")
if [ "$API_STATUS" = 200 ]; then
    wrk -t1 -c8 -d2s "http://127.0.0.1:$EDGE_PORT/api/openapi.json" >/dev/null
    read -r API_RPS API_P50 API_P99 < <(measure "http://127.0.0.1:$EDGE_PORT/api/openapi.json")
else
    API_RPS="n/a (worker answered $API_STATUS)"; API_P50="-"; API_P99="-"
fi
RATIO=$(awk -v a="$EDGE_RPS" -v b="$NGINX_RPS" 'BEGIN { printf "%.2f", a / b }')

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, static: median of $ROUNDS alternating rounds (edge: ${EDGE_ROUNDS[*]%% *} / nginx: ${NGINX_ROUNDS[*]%% *} req/s), $CORES cores, $("$NGINX" -v 2>&1 | sed 's/.*version: //')"
echo
echo "| Request | Server | Requests/s | p50 | p99 |"
echo "|---|---|---:|---:|---:|"
echo "| 1 KiB static file | edge | $EDGE_RPS | $EDGE_P50 | $EDGE_P99 |"
echo "| 1 KiB static file | nginx | $NGINX_RPS | $NGINX_P50 | $NGINX_P99 |"
echo "| GET /api/openapi.json | edge → worker (RPC) | $API_RPS | $API_P50 | $API_P99 |"
echo
echo "edge / nginx (static): ${RATIO}×"
