#!/usr/bin/env bash
# The whole system on this machine with one command:
#
#   scripts/run-local.sh [--demo] [master options...]
#
# Builds the release binaries, starts an embedded PostgreSQL unless DATABASE_URL or PG*
# variables point at one, applies migrations, and runs `master` with the topology in
# deploy/local/microposts.topology.json: data ×1, worker ×2 and edge ×1 (serving static/ and
# /api/). Ctrl-C or SIGTERM stops everything, the database last. --demo seeds a few users and
# microposts through the API. Any other option goes to `master` (see `master --help`), e.g.
# --watch to rebuild and replace a service whose sources you edit, or --worker-instances 4;
# except the ports this script talks to, which are set through the environment:
# EDGE_HTTP_PORT (8080), ADMIN_PORT (9000, also GET /instances); LOCAL_PG_PORT pins the
# embedded database's port (default: the first free one from 5432). TOPOLOGY names another
# topology file.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA_DIR="$ROOT/.data"
PG_DIR="$DATA_DIR/postgres"
DEMO=0
MASTER_ARGS=()
for arg in "$@"; do
    if [[ $arg == --demo ]]; then DEMO=1; else MASTER_ARGS+=("$arg"); fi
done

HTTP_PORT="${EDGE_HTTP_PORT:-8080}"
TOPOLOGY_FILE="${TOPOLOGY:-$ROOT/deploy/local/microposts.topology.json}"
ADMIN_PORT="${ADMIN_PORT:-9000}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'run-local: %s\n' "$*" >&2; exit 1; }

as_root() { [[ $(id -u) -eq 0 ]]; }

# Installs a Debian package when we may, else says how.
need_package() { # <command> <package>
    command -v "$1" >/dev/null && return 0
    if as_root && command -v apt-get >/dev/null; then
        say "installing $2"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    else
        die "$1 is missing: install it with 'sudo apt-get install $2'"
    fi
}

need_package curl curl

say "building release binaries (first time takes a while)"
(cd "$ROOT" && swift build -c release)
BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)"

# --- Database -------------------------------------------------------------------------

PG_BIN=""
PG_PID_FILE=""
pg_run() { # runs a PostgreSQL tool as the account that owns the cluster
    if as_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_pg_bin() {
    local dir
    if command -v pg_ctl >/dev/null; then
        dir="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
        [[ -x $dir/initdb ]] && { echo "$dir"; return; }
    fi
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n $dir && -x $dir/initdb ]] && echo "$dir"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_embedded_postgres() {
    PG_BIN="$(find_pg_bin || true)"
    if [[ -z $PG_BIN ]]; then
        if as_root && command -v apt-get >/dev/null; then
            say "installing PostgreSQL"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
            PG_BIN="$(find_pg_bin || true)"
        fi
        [[ -n $PG_BIN ]] || die "PostgreSQL is not installed. Install it with 'sudo apt-get install postgresql', or set DATABASE_URL to an existing database."
    fi

    mkdir -p "$DATA_DIR"
    if [[ ! -f $PG_DIR/PG_VERSION ]]; then
        say "creating a PostgreSQL cluster in $PG_DIR"
        mkdir -p "$PG_DIR"
        chmod 700 "$PG_DIR"
        # initdb refuses to run as root: the cluster belongs to the postgres account then.
        as_root && chown postgres: "$PG_DIR"
        pg_run test -w "$PG_DIR" || die "the postgres account cannot write $PG_DIR (check the permissions of its parent folders)"
        pg_run "$PG_BIN/initdb" -D "$PG_DIR" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    fi

    local port="${LOCAL_PG_PORT:-}"
    if [[ -z $port ]]; then
        port=5432
        while port_in_use "$port"; do port=$((port + 1)); done
    fi
    say "starting PostgreSQL on 127.0.0.1:$port"
    pg_run "$PG_BIN/pg_ctl" start -w -t 60 -D "$PG_DIR" -l "$PG_DIR/server.log" \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $PG_DIR" >/dev/null \
        || die "PostgreSQL did not start; see $PG_DIR/server.log"
    PG_PID_FILE="$PG_DIR/postmaster.pid"
    if ! pg_run "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'microposts'" | grep -q 1; then
        pg_run "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres microposts
    fi
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/microposts?sslmode=disable"
}

stop_embedded_postgres() {
    [[ -n $PG_PID_FILE && -f $PG_PID_FILE ]] || return 0
    say "stopping PostgreSQL"
    pg_run "$PG_BIN/pg_ctl" stop -w -t 60 -D "$PG_DIR" -m fast >/dev/null || true
}

if [[ -z ${DATABASE_URL:-} ]] && ! env | grep -q '^PG[A-Z]*='; then
    start_embedded_postgres
else
    say "using the database from DATABASE_URL/PG* settings"
fi

# --- Demo data ------------------------------------------------------------------------

api() { # <method> <url> <token or -> [json body]: prints the body, fails on a non-2xx status
    local auth=()
    [[ $3 != - ]] && auth=(-H "Authorization: Bearer $3")
    curl -fsS -X "$1" -H 'Content-Type: application/json' ${auth[@]+"${auth[@]}"} ${4:+-d "$4"} "$2"
}

# Users alice, bob and carol (password: password-<name>) with a few microposts and follows.
# Users that already exist were seeded by an earlier run and are left as they are.
seed_demo() { # <api base URL>
    local base="$1" user token new=()
    say "seeding demo data"
    for user in alice bob carol; do
        api POST "$base/users" - "{\"username\":\"$user\",\"password\":\"password-$user\"}" >/dev/null 2>&1 && new+=("$user")
    done
    for user in ${new[@]+"${new[@]}"}; do
        token="$(api POST "$base/token" - \
            "{\"grant_type\":\"client_credentials\",\"client_id\":\"$user\",\"client_secret\":\"password-$user\"}" |
            sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')"
        case $user in
        alice)
            api POST "$base/users/alice/collection" "$token" '{"text":"Hello from alice! Trying out Microposts."}'
            api POST "$base/users/alice/collection" "$token" '{"text":"Reading about web server structures: nginx, uWSGI and Django.","referenced":"bob"}'
            api POST "$base/users/alice/following" "$token" '{"username":"bob"}'
            api POST "$base/users/alice/following" "$token" '{"username":"carol"}' ;;
        bob)
            api POST "$base/users/bob/collection" "$token" '{"text":"bob here: edge, workers and data are separate processes."}'
            api POST "$base/users/bob/following" "$token" '{"username":"alice"}' ;;
        carol)
            api POST "$base/users/carol/collection" "$token" '{"text":"Anyone up for coffee?","referenced":"alice"}' ;;
        esac >/dev/null
    done
    echo "demo users: alice, bob, carol (password: password-<name>)"
}

# --- Services -------------------------------------------------------------------------

MASTER_PID=""
shutdown() {
    trap '' INT TERM
    if [[ -n $MASTER_PID ]] && kill -0 "$MASTER_PID" 2>/dev/null; then
        say "stopping (edge, workers, data)"
        kill -TERM "$MASTER_PID" 2>/dev/null || true
        wait "$MASTER_PID" 2>/dev/null || true
    fi
    stop_embedded_postgres
}
trap shutdown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "applying migrations"
"$BIN/data" migrate

# Every worker must sign tokens with the same key, and it is kept so logins survive restarts.
if [[ -z ${JWT_SECRET:-} ]]; then
    if [[ ! -s $DATA_DIR/jwt-secret ]]; then
        mkdir -p "$DATA_DIR"
        (umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$DATA_DIR/jwt-secret")
    fi
    JWT_SECRET="$(cat "$DATA_DIR/jwt-secret")"
    export JWT_SECRET
fi
# The services authenticate each other with it; master passes its environment to them all.
if [[ -z ${RPC_SECRET:-} ]]; then
    if [[ ! -s $DATA_DIR/rpc-secret ]]; then
        mkdir -p "$DATA_DIR"
        (umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$DATA_DIR/rpc-secret")
    fi
    RPC_SECRET="$(cat "$DATA_DIR/rpc-secret")"
    export RPC_SECRET
fi

for port in "$HTTP_PORT" "$ADMIN_PORT"; do
    port_in_use "$port" && die "port $port is in use (set EDGE_HTTP_PORT or ADMIN_PORT to another one)"
done

say "starting master"
# A session of its own: Ctrl-C reaches only this script, which stops the master once, in order.
setsid "$BIN/master" \
    --topology "$TOPOLOGY_FILE" \
    --edge-args="--static-root $ROOT/static" \
    --drain-timeout 3m \
    ${MASTER_ARGS[@]+"${MASTER_ARGS[@]}"} \
    --edge-http-port "$HTTP_PORT" --admin-port "$ADMIN_PORT" &
MASTER_PID=$!

for _ in $(seq 1 600); do
    kill -0 "$MASTER_PID" 2>/dev/null || die "master exited; see the log above"
    curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null && break
    sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" || die "the system did not become ready in 2 minutes"

[[ $DEMO -eq 1 ]] && seed_demo "http://127.0.0.1:$HTTP_PORT/api"

echo
say "Microposts is running: open http://localhost:$HTTP_PORT/"
curl -fsS "http://127.0.0.1:$ADMIN_PORT/instances.txt"
[[ -n $PG_PID_FILE ]] && echo "postgres: pid $(head -n 1 "$PG_PID_FILE"), ${DATABASE_URL##*@}, data in $PG_DIR"
echo "state: http://127.0.0.1:$ADMIN_PORT/instances   reload: kill -HUP $MASTER_PID   stop: Ctrl-C"

wait "$MASTER_PID" || true
MASTER_PID=""
