#!/usr/bin/env bash
# Load test of the edge against nginx on this machine (see README, "Edge benchmark").
#
#   Benchmarks/edge-static.sh [seconds] [connections]     (ROUNDS=3 by default)
#   TLS_ONLY=1 Benchmarks/edge-static.sh 8 64              (only the TLS and HTTP/2 rows)
#   TLS=0 Benchmarks/edge-static.sh 8 64                   (only the plain rows, as before TLS)
#   EDGE_BIN=/path/to/edge Benchmarks/edge-static.sh 8 64  (measure that edge, e.g. another worktree's build,
#                                                          instead of building one; WORKER_BIN likewise)
#
# Builds `edge` and `worker` in release mode and measures with wrk and h2load:
#   1. a 1 KiB static file served by the edge (sendfile, access log off);
#   2. the same file served by nginx from Debian's packages (installed if missing) with an
#      equivalent configuration: same folder, same number of worker processes as the edge
#      has event-loop threads (one per core), sendfile on, access log off, keep-alive without
#      a request cap (the edge has none);
#   3. a proxied API request: GET /api/openapi.json through the edge to one real `worker`
#      process over the RPC. It is the worker's one route that needs no database, so it
#      measures edge + RPC + worker routing and JSON, not PostgreSQL.
#   4. the same file over TLS, from a second edge started with --tls-certificate/--tls-key and
#      from an nginx `listen ... ssl http2` server with the same throwaway self-signed
#      certificate (made here with openssl: ECDSA P-256, or RSA 2048 with TLS_KEY_TYPE=rsa):
#        - HTTPS/1.1 with wrk (it offers no ALPN, so both answer HTTP/1.1), same threads and
#          connections as rows 1-2;
#        - HTTP/2 (ALPN h2) with h2load from Debian's nghttp2-client (installed if missing):
#          the same threads and connections, H2_STREAMS (10) streams in flight on each, for
#          the same duration after a 1 s warm-up.
#      Equivalent TLS settings: TLS 1.2 and 1.3 only; each side's default ciphers and groups
#      (with these OpenSSL clients both settle on TLS 1.3, TLS_AES_256_GCM_SHA384, X25519:
#      the script prints what each negotiated); no kernel TLS, so both read the file and
#      encrypt it in user space; 100 concurrent streams per HTTP/2 connection (the edge's
#      --http2-max-concurrent-streams default; nginx's is 128). Session resumption as the edge
#      has it: swift-nio-ssl leaves BoringSSL's defaults, a server-side session cache of one
#      process (20 480 sessions, 2 h) and session tickets with keys made at start, so nginx
#      gets `ssl_session_cache shared:SSL:10m` (one cache for all its workers),
#      `ssl_session_timeout 2h` and `ssl_session_tickets on` (keys made by the master before
#      it forks, so shared too). Every client connection here lives for the whole run, so a
#      run does one full handshake per connection and resumption plays no part in it.
# Everything runs on loopback and shares the machine's cores with wrk, so the numbers are
# relative: compare rows of one run, not runs on different machines.
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib/bench.sh

DURATION=${1:-10}
CONNECTIONS=${2:-64}
THREADS=${WRK_THREADS:-2}
ROUNDS=${ROUNDS:-3}
CORES=$(nproc)
TLS=${TLS:-1}                   # 0: skip the TLS and HTTP/2 rows
TLS_ONLY=${TLS_ONLY:-0}         # 1: only the TLS and HTTP/2 rows (no worker, no plain edge)
H2_STREAMS=${H2_STREAMS:-10}    # h2load -m: streams in flight per HTTP/2 connection
TLS_KEY_TYPE=${TLS_KEY_TYPE:-ec}
PLAIN=1
if [ "$TLS_ONLY" = 1 ]; then PLAIN=0; TLS=1; fi
case "$TLS_KEY_TYPE" in
    ec) KEY_ARGS=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1); KEY_NAME="ECDSA P-256" ;;
    rsa) KEY_ARGS=(-newkey rsa:2048); KEY_NAME="RSA 2048" ;;
    *) echo "TLS_KEY_TYPE must be ec or rsa" >&2; exit 2 ;;
esac

install_if_missing() {
    command -v "$1" >/dev/null 2>&1 && return
    echo "installing $2 with apt-get..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
install_if_missing wrk wrk
[ -x /usr/sbin/nginx ] || install_if_missing nginx nginx-light || install_if_missing nginx nginx
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ "$TLS" = 1 ]; then
    install_if_missing h2load nghttp2-client
    install_if_missing openssl openssl
fi

EDGE_BIN=${EDGE_BIN:-}
WORKER_BIN=${WORKER_BIN:-}
if [ -z "$EDGE_BIN" ]; then
    swift build -c release --product edge >/dev/null 2>&1 || { echo "release build of edge failed" >&2; exit 1; }
fi
if [ "$PLAIN" = 1 ] && [ -z "$WORKER_BIN" ]; then
    swift build -c release --product worker >/dev/null 2>&1 || { echo "release build of worker failed" >&2; exit 1; }
fi
BIN=$(swift build -c release --show-bin-path 2>/dev/null)
EDGE=${EDGE_BIN:-$BIN/edge}
WORKER=${WORKER_BIN:-$BIN/worker}

bench_scratch edge-static
wait_http() { for _ in $(seq 100); do curl -sk -o /dev/null "$1" && return; sleep 0.1; done; echo "not answering: $1" >&2; exit 1; }

bench_static_file

EDGE_PORT=$(free_port); WORKER_PORT=$(free_port); NGINX_PORT=$(free_port)
EDGE_TLS_PORT=$(free_port); EDGE_TLS_ADMIN_PORT=$(free_port); NGINX_TLS_PORT=$(free_port)

if [ "$PLAIN" = 1 ]; then
    "$WORKER" --rpc-listen "127.0.0.1:$WORKER_PORT" --admin-port "$(free_port)" --admin-host 127.0.0.1 \
        --log-level warning >"$TMP/worker.log" 2>&1 &
    PIDS+=($!)
    "$EDGE" --http-listen "127.0.0.1:$EDGE_PORT" --static-root "$TMP/www" --worker-target "127.0.0.1:$WORKER_PORT" \
        --admin-port "$(free_port)" --admin-host 127.0.0.1 --access-log=false --log-level warning >"$TMP/edge.log" 2>&1 &
    PIDS+=($!)
fi

NGINX_TLS_SERVER=""
if [ "$TLS" = 1 ]; then
    # A throwaway self-signed certificate for 127.0.0.1, the same for both servers.
    mkdir -p "$TMP/tls"
    openssl req -x509 "${KEY_ARGS[@]}" -sha256 -nodes -days 2 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1" -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" >/dev/null 2>&1 \
        || { echo "openssl could not make the test certificate" >&2; exit 1; }
    # The edge with TLS: the same flags as the plain one plus the certificate and key. Its
    # worker target is the plain worker (not measured here; in TLS_ONLY mode nothing listens).
    "$EDGE" --http-listen "127.0.0.1:$EDGE_TLS_PORT" --static-root "$TMP/www" --worker-target "127.0.0.1:$WORKER_PORT" \
        --admin-port "$EDGE_TLS_ADMIN_PORT" --admin-host 127.0.0.1 --access-log=false --log-level warning \
        --tls-certificate "$TMP/tls/cert.pem" --tls-key "$TMP/tls/key.pem" >"$TMP/edge-tls.log" 2>&1 &
    PIDS+=($!)
    NGINX_TLS_SERVER="
    server {
        listen 127.0.0.1:$NGINX_TLS_PORT ssl http2;
        ssl_certificate $TMP/tls/cert.pem;
        ssl_certificate_key $TMP/tls/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:SSL:10m;
        ssl_session_timeout 2h;
        ssl_session_tickets on;
        http2_max_concurrent_streams 100;
        location /static/ { alias $TMP/www/; etag on; }
    }"
fi

nginx_static_conf "$TMP" "$NGINX_PORT" "$CORES" "${NGINX_TLS_SERVER:-}" >"$TMP/nginx.conf"
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" 2>>"$TMP/nginx-error.log" &
PIDS+=($!)

wait_http "http://127.0.0.1:$NGINX_PORT/static/1k.txt"
if [ "$PLAIN" = 1 ]; then
    wait_http "http://127.0.0.1:$EDGE_PORT/static/1k.txt"
    cmp <(curl -s "http://127.0.0.1:$EDGE_PORT/static/1k.txt") <(curl -s "http://127.0.0.1:$NGINX_PORT/static/1k.txt")
fi
if [ "$TLS" = 1 ]; then
    wait_http "https://127.0.0.1:$EDGE_TLS_PORT/static/1k.txt"
    wait_http "https://127.0.0.1:$NGINX_TLS_PORT/static/1k.txt"
    for port in "$EDGE_TLS_PORT" "$NGINX_TLS_PORT"; do
        cmp <(curl -sk --http1.1 "https://127.0.0.1:$port/static/1k.txt") "$TMP/www/1k.txt"
        cmp <(curl -sk --http2 "https://127.0.0.1:$port/static/1k.txt") "$TMP/www/1k.txt"
        version=$(curl -sk --http2 -o /dev/null -w '%{http_version}' "https://127.0.0.1:$port/static/1k.txt")
        [ "$version" = 2 ] || { echo "127.0.0.1:$port did not answer HTTP/2 (got $version)" >&2; exit 1; }
    done
fi

# Prints "version cipher group" that an OpenSSL client without ALPN (as wrk) negotiates.
tls_summary() {
    openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null |
        awk '/^New, / { gsub(",", ""); version = $2; cipher = $5 } /^Server Temp Key:/ { group = $4; gsub(",", "", group) } END { print version, cipher, group }'
}

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

# Prints "requests/s mean sd max" (time per request) for one h2load run over HTTP/2.
measure_h2() {
    local status=0
    h2load -t"$THREADS" -c"$CONNECTIONS" -m"$H2_STREAMS" -D"$DURATION" --warm-up-time=1 "$1" >"$TMP/h2load.out" 2>&1 || status=$?
    local rps times protocol failures codes
    rps=$(awk '/^finished in/ { print $4 }' "$TMP/h2load.out")
    times=$(awk '/^time for request:/ { print $6, $7, $5 }' "$TMP/h2load.out")
    protocol=$(awk '/^Application protocol:/ { print $3 }' "$TMP/h2load.out")
    failures=$(awk '/^requests:/ { print $10 + $12 + $14 }' "$TMP/h2load.out")
    codes=$(awk '/^status codes:/ { print $5 + $7 + $9 }' "$TMP/h2load.out")
    if [ "$status" != 0 ] || [ "$protocol" != h2 ] || [ "${failures:-1}" != 0 ] || [ "${codes:-1}" != 0 ]; then
        echo "warning: h2load $1 (exit $status, protocol ${protocol:-none}):" >&2
        grep -E '^(requests|status codes|Application protocol):' "$TMP/h2load.out" >&2 || tail -5 "$TMP/h2load.out" >&2
    fi
    echo "${rps:-0} ${times:-- - -}"
}

# Warm up both servers (and the edge's connection to the worker) before measuring.
if [ "$PLAIN" = 1 ]; then
    wrk -t1 -c8 -d2s "http://127.0.0.1:$EDGE_PORT/static/1k.txt" >/dev/null
    wrk -t1 -c8 -d2s "http://127.0.0.1:$NGINX_PORT/static/1k.txt" >/dev/null
    API_STATUS=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$EDGE_PORT/api/openapi.json")
fi
if [ "$TLS" = 1 ]; then
    for port in "$EDGE_TLS_PORT" "$NGINX_TLS_PORT"; do
        wrk -t1 -c8 -d2s "https://127.0.0.1:$port/static/1k.txt" >/dev/null
        h2load -c8 -m"$H2_STREAMS" -D2 "https://127.0.0.1:$port/static/1k.txt" >/dev/null 2>&1 || true
    done
    EDGE_TLS=$(tls_summary "$EDGE_TLS_PORT"); NGINX_TLS=$(tls_summary "$NGINX_TLS_PORT")
    [ "$EDGE_TLS" = "$NGINX_TLS" ] || echo "warning: the servers negotiate different TLS: edge $EDGE_TLS, nginx $NGINX_TLS" >&2
fi

# Alternate the two servers for ROUNDS rounds and keep each one's median round, so a burst
# of other work on the machine cannot favour whichever happened to run during it. Each round
# measures every row, edge then nginx.
EDGE_ROUNDS=(); NGINX_ROUNDS=(); EDGE_TLS_ROUNDS=(); NGINX_TLS_ROUNDS=(); EDGE_H2_ROUNDS=(); NGINX_H2_ROUNDS=()
for _ in $(seq "$ROUNDS"); do
    if [ "$PLAIN" = 1 ]; then
        EDGE_ROUNDS+=("$(measure "http://127.0.0.1:$EDGE_PORT/static/1k.txt")")
        NGINX_ROUNDS+=("$(measure "http://127.0.0.1:$NGINX_PORT/static/1k.txt")")
    fi
    if [ "$TLS" = 1 ]; then
        EDGE_TLS_ROUNDS+=("$(measure "https://127.0.0.1:$EDGE_TLS_PORT/static/1k.txt")")
        NGINX_TLS_ROUNDS+=("$(measure "https://127.0.0.1:$NGINX_TLS_PORT/static/1k.txt")")
        EDGE_H2_ROUNDS+=("$(measure_h2 "https://127.0.0.1:$EDGE_TLS_PORT/static/1k.txt")")
        NGINX_H2_ROUNDS+=("$(measure_h2 "https://127.0.0.1:$NGINX_TLS_PORT/static/1k.txt")")
    fi
done
median_round() { printf '%s\n' "$@" | sort -g -k1,1 | awk '{ rounds[NR] = $0 } END { print rounds[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
# Each round's edge / nginx, e.g. "0.91 0.88 0.95".
round_ratios() {
    local -n edge_rounds=$1 nginx_rounds=$2
    local i out=""
    for i in "${!edge_rounds[@]}"; do out+="$(ratio "${edge_rounds[$i]%% *}" "${nginx_rounds[$i]%% *}") "; done
    echo "${out% }"
}

echo
if [ "$PLAIN" = 1 ]; then
    read -r EDGE_RPS EDGE_P50 EDGE_P99 < <(median_round "${EDGE_ROUNDS[@]}")
    read -r NGINX_RPS NGINX_P50 NGINX_P99 < <(median_round "${NGINX_ROUNDS[@]}")
    if [ "$API_STATUS" = 200 ]; then
        wrk -t1 -c8 -d2s "http://127.0.0.1:$EDGE_PORT/api/openapi.json" >/dev/null
        read -r API_RPS API_P50 API_P99 < <(measure "http://127.0.0.1:$EDGE_PORT/api/openapi.json")
    else
        API_RPS="n/a (worker answered $API_STATUS)"; API_P50="-"; API_P99="-"
    fi
    RATIO=$(ratio "$EDGE_RPS" "$NGINX_RPS")

    echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, static: median of $ROUNDS alternating rounds (edge: ${EDGE_ROUNDS[*]%% *} / nginx: ${NGINX_ROUNDS[*]%% *} req/s), $CORES cores, $("$NGINX" -v 2>&1 | sed 's/.*version: //')"
    echo
    echo "| Request | Server | Requests/s | p50 | p99 |"
    echo "|---|---|---:|---:|---:|"
    echo "| 1 KiB static file | edge | $EDGE_RPS | $EDGE_P50 | $EDGE_P99 |"
    echo "| 1 KiB static file | nginx | $NGINX_RPS | $NGINX_P50 | $NGINX_P99 |"
    echo "| GET /api/openapi.json | edge → worker (RPC) | $API_RPS | $API_P50 | $API_P99 |"
    echo
    echo "edge / nginx (static): ${RATIO}×"
fi
if [ "$TLS" = 1 ]; then
    read -r ETLS_RPS ETLS_P50 ETLS_P99 < <(median_round "${EDGE_TLS_ROUNDS[@]}")
    read -r NTLS_RPS NTLS_P50 NTLS_P99 < <(median_round "${NGINX_TLS_ROUNDS[@]}")
    read -r EH2_RPS EH2_MEAN EH2_SD EH2_MAX < <(median_round "${EDGE_H2_ROUNDS[@]}")
    read -r NH2_RPS NH2_MEAN NH2_SD NH2_MAX < <(median_round "${NGINX_H2_ROUNDS[@]}")
    [ "$PLAIN" = 1 ] && echo
    echo "Over TLS ($KEY_NAME self-signed certificate; edge: $EDGE_TLS, nginx: $NGINX_TLS): wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s (HTTP/1.1) and h2load -t$THREADS -c$CONNECTIONS -m$H2_STREAMS -D$DURATION --warm-up-time=1 (HTTP/2), median of $ROUNDS alternating rounds, $CORES cores, $("$NGINX" -v 2>&1 | sed 's/.*version: //')"
    echo "rounds, req/s: HTTPS/1.1 edge ${EDGE_TLS_ROUNDS[*]%% *} / nginx ${NGINX_TLS_ROUNDS[*]%% *} (ratios $(round_ratios EDGE_TLS_ROUNDS NGINX_TLS_ROUNDS)); HTTP/2 edge ${EDGE_H2_ROUNDS[*]%% *} / nginx ${NGINX_H2_ROUNDS[*]%% *} (ratios $(round_ratios EDGE_H2_ROUNDS NGINX_H2_ROUNDS))"
    echo
    echo "| Request over TLS | Server | Requests/s | latency | edge / nginx |"
    echo "|---|---|---:|---|---:|"
    echo "| 1 KiB static file, HTTPS/1.1 (wrk) | edge | $ETLS_RPS | p50 $ETLS_P50, p99 $ETLS_P99 | $(ratio "$ETLS_RPS" "$NTLS_RPS")× |"
    echo "| 1 KiB static file, HTTPS/1.1 (wrk) | nginx | $NTLS_RPS | p50 $NTLS_P50, p99 $NTLS_P99 | |"
    echo "| 1 KiB static file, HTTP/2 (h2load) | edge | $EH2_RPS | mean $EH2_MEAN, sd $EH2_SD, max $EH2_MAX | $(ratio "$EH2_RPS" "$NH2_RPS")× |"
    echo "| 1 KiB static file, HTTP/2 (h2load) | nginx | $NH2_RPS | mean $NH2_MEAN, sd $NH2_SD, max $NH2_MAX | |"
    echo
    echo "edge / nginx (static over TLS, HTTP/1.1): $(ratio "$ETLS_RPS" "$NTLS_RPS")×; (static over TLS, HTTP/2): $(ratio "$EH2_RPS" "$NH2_RPS")×"
    # What the TLS edge itself counted (each wrk run also opens one plain TCP connection to
    # check the address, which counts as a failed handshake), and anything it logged.
    curl -s "http://127.0.0.1:$EDGE_TLS_ADMIN_PORT/metrics" |
        awk '/^tls_/ || /^http_requests_total\{kind="static"/ && $2 > 0 { printf "%s %s; ", $1, $2 } END { print "" }' | sed 's/^/edge TLS counters: /' >&2
    grep -v -E ' (WARNING|NOTICE|INFO) ' "$TMP/edge-tls.log" | head -20 | sed 's/^/edge TLS log: /' >&2 || true
fi
