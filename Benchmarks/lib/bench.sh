# Sourced by the edge benchmarks (edge-static.sh, http-floor.sh).

# A scratch folder in TMP and the processes started into PIDS, both gone when the script exits.
bench_scratch() {
    TMP=$(mktemp -d "/tmp/$1.XXXXXX")
    PIDS=()
    trap bench_cleanup EXIT
}
bench_cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
# The 1 KiB file both servers serve, in a folder nginx's workers (nobody or www-data) can read.
bench_static_file() {
    chmod 755 "$TMP"
    mkdir -p "$TMP/www"
    head -c 768 /dev/urandom | base64 -w0 | head -c 1024 >"$TMP/www/1k.txt"
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# nginx configured as the edge serves static files, so the two compare like for like: one
# worker per core (the edge's event loops), sendfile, no access log, keep-alive without a
# request cap (the edge has none), the files of <dir>/www under /static/.
#
#   nginx_static_conf <dir> <port> <workers> [more server blocks] > <dir>/nginx.conf
nginx_static_conf() {
    local dir=$1 port=$2 workers=$3 servers=${4:-}
    cat <<CONF
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 60s;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    types { text/plain txt; }
    client_body_temp_path $dir/nginx-body;
    proxy_temp_path $dir/nginx-proxy;
    fastcgi_temp_path $dir/nginx-fastcgi;
    uwsgi_temp_path $dir/nginx-uwsgi;
    scgi_temp_path $dir/nginx-scgi;
    server {
        listen 127.0.0.1:$port;
        location /static/ { alias $dir/www/; etag on; }
    }$servers
}
CONF
}
