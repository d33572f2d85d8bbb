#!/usr/bin/env bash
# Fuzzes the running API against its own OpenAPI document with schemathesis: a throwaway
# PostgreSQL, the `data` service, a `worker` (plain HTTP) and the `edge` in front of it, then
# every operation with schema-generated requests, bounded in examples and time. Fails on any
# server error (5xx) or any response that does not match the document.
#
# Expects built debug products (scripts/test.sh builds them first) and schemathesis on PATH
# or in $SCHEMATHESIS (.ci/run installs the pinned version).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS="${SCHEMATHESIS:-schemathesis}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-25}"
TIME_LIMIT="${SCHEMATHESIS_TIME_LIMIT:-600}"
BIN="${BIN:-$(swift build --show-bin-path)}"
command -v "$SCHEMATHESIS" >/dev/null || { echo "schemathesis not found: pip install schemathesis==3.39.16 hypothesis==6.127.9 (or run .ci/run)"; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -n "${pg_ctl:-}" ] && as_owner "$pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { # admin port, name
    for _ in $(seq 1 200); do
        curl -fs "http://127.0.0.1:$1/readyz" >/dev/null && return 0
        sleep 0.1
    done
    echo "$2 did not become ready; its log:"; cat "$work/$2.log"; exit 1
}

# PostgreSQL: initdb refuses to run as root, so root hands the cluster to the postgres user.
pg_bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
pg_ctl="$pg_bin/pg_ctl"
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
pg_port="$(free_port)"
as_owner "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust >/dev/null
as_owner "$pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null

# As root (CI), the services run as an unprivileged account, as they do in containers, so a
# failure that only root escapes (e.g. a privileged socket option) fails here too.
as_service=()
if [ "$(id -u)" = 0 ]; then
    as_service=(setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups --inh-caps=-all --)
    "${as_service[@]}" test -x "$BIN/edge" || {
        echo "nobody cannot run $BIN/edge (is the checkout readable by others?)"; exit 1; }
fi
start() { # name admin-port args...
    local name="$1" admin="$2"; shift 2
    "${as_service[@]}" "$BIN/$name" --admin-host 127.0.0.1 --admin-port "$admin" "$@" >"$work/$name.log" 2>&1 &
    pids+=("$!")
    wait_ready "$admin" "$name"
}
data_rpc="$(free_port)"; worker_rpc="$(free_port)"; worker_http="$(free_port)"; edge_http="$(free_port)"
# Login and registration throttles off: they would answer most generated requests to those two
# operations with 429 before their bodies are read (429 is documented; the Swift tests cover it).
DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable" \
    start data "$(free_port)" --rpc-listen "127.0.0.1:$data_rpc" --password-hash-iterations 210000 \
    --login-attempts-per-account 0
JWT_SECRET="schemathesis-secret-of-at-least-32-bytes" \
    start worker "$(free_port)" --rpc-listen "127.0.0.1:$worker_rpc" --http "127.0.0.1:$worker_http" --data-target "127.0.0.1:$data_rpc" \
    --login-attempts-per-address 0 --registrations-per-address 0
start edge "$(free_port)" --http-listen "127.0.0.1:$edge_http" --worker-target "127.0.0.1:$worker_rpc" --rate-limit 0

base="http://127.0.0.1:$edge_http"
# A user whose token authenticates the fuzzed requests; it posts one micropost so that
# generated ids sometimes hit.
curl -fs -o /dev/null -H 'Content-Type: application/json' -d '{"username":"fuzz","password":"fuzz-password"}' "$base/api/users"
token="$(curl -fs -H 'Content-Type: application/json' \
    -d '{"grant_type":"client_credentials","client_id":"fuzz","client_secret":"fuzz-password"}' "$base/api/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"text":"hello"}' \
    "$base/api/users/fuzz/collection"

# Logging out would revoke the token every other operation uses: that operation is covered
# by the Swift tests instead.
status=0
timeout "$TIME_LIMIT" "$SCHEMATHESIS" run "$base/api/openapi.json" \
    --base-url "$base" \
    --header "Authorization: Bearer $token" \
    --exclude-operation-id revokeToken \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --hypothesis-max-examples "$EXAMPLES" \
    --hypothesis-deadline none \
    --hypothesis-seed 1 \
    --hypothesis-suppress-health-check all \
    --no-color || status=$?
if [ "$status" != 0 ]; then
    echo "schemathesis failed ($status); worker log tail:"; tail -n 40 "$work/worker.log"
fi
exit "$status"
