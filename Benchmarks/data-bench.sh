#!/usr/bin/env bash
# The data service's cost: get one micropost and list 100 through its RPC, beside the same SQL
# sent directly with PostgresNIO, 64 calls in flight. Starts a throwaway PostgreSQL cluster
# (as the postgres user when root) and a release `data` process on loopback, stops both after.
# Usage: Benchmarks/data-bench.sh [seconds per case, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds="${1:-10}"
# Free ports by default: a fixed one inside the ephemeral range (55432 was) can be held by a
# connection's TIME-WAIT, and PostgreSQL then refuses to start.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pg_port="${DATA_BENCH_PG_PORT:-$(free_port)}"
rpc_port="${DATA_BENCH_RPC_PORT:-$(free_port)}"
admin_port="${DATA_BENCH_ADMIN_PORT:-$(free_port)}"

swift build -c release --product data >&2
swift build -c release --product rpc-bench >&2
bin="$(swift build -c release --show-bin-path)"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

workdir="$(mktemp -d /tmp/data-bench.XXXXXX)"
as_postgres=()
if [ "$(id -u)" = 0 ]; then
    chown postgres "$workdir"
    as_postgres=(runuser -u postgres --)
fi
cleanup() {
    [ -n "${data_pid:-}" ] && kill -TERM "$data_pid" 2>/dev/null && wait "$data_pid" 2>/dev/null || true
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$workdir/pg" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT

"${as_postgres[@]}" "$pg_bin/initdb" -D "$workdir/pg" -U postgres --auth=trust >/dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$workdir/pg" -w -l "$workdir/pg.log" \
    -o "-p $pg_port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
"${as_postgres[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres microposts
url="postgres://postgres@127.0.0.1:$pg_port/microposts?sslmode=disable"

DATABASE_URL="$url" LOG_LEVEL=warning "$bin/data" --rpc-listen "127.0.0.1:$rpc_port" --admin-port "$admin_port" &
data_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$admin_port/readyz" >/dev/null && break; sleep 0.1; done

"$bin/rpc-bench" data --target "127.0.0.1:$rpc_port" --database-url "$url" --duration "$seconds" --concurrency 64
