# shellcheck shell=bash
# The stack under open-loop overload, for Benchmarks/load/load-test.sh with OVERLOAD=1 (sourced
# by it; not run on its own) — issue 18's "Overload" target:
#
#   OVERLOAD=1 [SCENARIOS=get-one] Benchmarks/load/load-test.sh [seconds per run] [connections]
#
# For each scenario (GET one by default; get-page and post too; not the static file):
# 1. Saturation: closed-loop wrk with the scenario's script, as the plain load test measures it
#    (WARMUP seconds, then the given seconds with the given connections): the peak, 2xx
#    requests/s.
# 2. Open loop: h2load over HTTP/1.1 (--h1) at a fixed arrival rate of each of OVERLOAD_FACTORS
#    (default "2 4") × that peak, for the given seconds plus one (below), no warm-up: the stack
#    is warm from wrk. The bearer token on every request; GET one reads a URI file of random
#    micropost ids 1..100 000 and GET a page a file of random users (but see "lockstep" below);
#    POST sends a JSON body file (-d) with its Content-Type.
# 3. From h2load's --log-file (one row per request answered or failed while measuring:
#    start as µs since the epoch, status, µs to the end of the response; -1 for a failed
#    stream), over the requests started in the first <seconds>: goodput (2xx answered within
#    1 s, per second) and goodput / peak, p50/p99 of the 2xx, 2xx slower than 1 s, 503s and their
#    p99, other statuses, failed streams; from h2load's summary the requests started but never
#    answered when it stopped (those are not in the log). Meanwhile curl probes the same kind of
#    request from a new connection every 0.25 s and records status, Retry-After and time: a
#    latency with no h2load queue in it (below), and whether a 503 says when to come back.
#    From the data service's /metrics, the share of GET reads that shared their key with
#    another read of the same batch ("reads merged in data"), for wrk and for each h2load run.
# 4. One Markdown table per scenario, into LOAD_REPORT like the plain load test.
#
# What h2load's --rps does (nghttp2 1.52, h2load.cc rps_cb and Client::on_stream_close): the rate
# is per client (connection), so the offered rate is clients × --rps. Every max(10 ms, 1/rps)
# a client adds the requests that fell due to a pending count and sends as many as its free
# slots allow: -m of them, which for HTTP/1.1 is the pipelining depth (-d forces 1). A request
# due while its connection is busy is neither dropped nor counted: it waits inside h2load, goes
# out when an answer frees the slot, and its logged start and latency begin only then. So once
# the stack answers more slowly than clients / rate, h2load becomes a closed loop of `clients`
# requests in flight, sends fewer than offered, and its latencies leave out the wait
# (coordinated omission). The table therefore shows the offered rate next to the rate h2load
# really started requests at (its "started" count), and the curl probes' times. No more than
# `clients` requests are ever in flight, so "never answered" is bounded by that, too: a stack
# that cannot keep up shows as a started shortfall and slow 2xx, not as timeouts. h2load also
# opens all its connections at once: past the edge's listen backlog (1 024) some wait for a SYN
# retry (connect times up to 1.03 s with 3 293 clients), and a client's rate clock starts only
# when it is connected, so those send less; the started rate includes that too.
#
# Lockstep: every h2load client walks the URI file from its first line at the same rate, so
# with --rps all clients ask for line k at about the same moment, and the data service's batcher
# answers requests for the same key in one batch with one fetch. Measured on the stack without
# limits (1 000 clients × 5 req/s, below saturation): 98 % of the GET-one reads merged, against
# ~0 % under wrk, whose Lua draws a random id per request (and 59 % for h2load closed-loop with
# 64 connections). That makes a GET cheaper than under wrk (no statement and no PostgreSQL
# work for most), so GET goodput under h2load flatters the stack; the table shows the share. One
# h2load process per client with a URI file of its own merges nothing (0.1 %), but cost 67 µs
# of client CPU per request instead of 20, plus ~8 ms to start each process: at 4× the peak
# more than one of this machine's two cores, so this script does not do it. POST has no such
# bias (every insert is its own row).
#
# -m 1, no pipelining: browsers and HTTP/1.1 client libraries do not pipeline, and the edge
# answers a connection's pipelined requests one after the other, so with -m 32 on 250
# connections h2load measured its own head-of-line queue (2xx p50 0.95 s on the stack without
# limits while a curl probe on a connection of its own took 31 ms), not the stack's.
# Connections then carry the load: OVERLOAD_CLIENTS, by default the offered rate × 100 ms (at
# least 64, at most 8 000). By Little's law h2load keeps up the offered rate exactly as long as
# the stack answers, served or refused, within 100 ms on average (the p99 target); a stack that
# does not gets fewer requests, which the started rate shows, and every connection waiting on
# it. With as few as 250 connections the stack without limits looked healthy — h2load became
# a closed loop of 250 requests, the stack served them at its pace within ~80 ms and 40-60 % of
# the offered load was never sent. That many connections from one address pass the edge's cap
# (--max-connections-per-address, default 256), so this script turns the cap off through
# EDGE_ARGS, as if the load came from many addresses; OVERLOAD_CLIENTS=250 or less keeps the
# edge's defaults (the curl probe's connection still fits). OVERLOAD_THREADS (default 2) h2load
# threads; the table's last column is h2load's CPU as a share of one core, which it takes from
# the stack on this machine's cores. OVERLOAD_LOGS=<folder> keeps h2load's logs and output and
# the probes of every run.

OVERLOAD_FACTORS=${OVERLOAD_FACTORS:-"2 4"}
OVERLOAD_CLIENTS=${OVERLOAD_CLIENTS:-auto}
OVERLOAD_THREADS=${OVERLOAD_THREADS:-2}
OVERLOAD_LOGS=${OVERLOAD_LOGS:-}
if [ "$OVERLOAD_CLIENTS" = auto ] || ((OVERLOAD_CLIENTS > 250)); then
    EDGE_ARGS="${EDGE_ARGS:+$EDGE_ARGS }--max-connections-per-address 0"
fi

# The request of a scenario, for h2load and curl: sets OVERLOAD_H2LOAD (h2load's options) and
# OVERLOAD_CURL (curl's options and URL).
overload_request() { # <scenario>
    local auth="Authorization: Bearer $TOKEN" uris="$WORK/overload-$1.uris"
    case "$1" in
        get-one | get-page)
            # Random ids (users) as the wrk scripts draw them, from LOAD_SEED.
            python3 - "$1" "$BASE" "${LOAD_SEED:-1}" >"$uris" <<'PY'
import random, sys
scenario, base, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
for _ in range(100000):
    if scenario == "get-one":
        i = rng.randint(1, 100000)
        print(f"{base}/api/users/user{(i - 1) // 100 + 1:04d}/collection/{i}")
    else:
        print(f"{base}/api/users/user{rng.randint(1, 1000):04d}/collection?size=100")
PY
            OVERLOAD_H2LOAD=(-i "$uris" -H "$auth")
            OVERLOAD_CURL=(-H "$auth" "$(sed -n 4242p "$uris")")
            ;;
        post)
            echo '{"text":"overload test post: the same text every time"}' >"$WORK/overload-post.json"
            OVERLOAD_H2LOAD=(-d "$WORK/overload-post.json" -H "$auth" -H 'Content-Type: application/json'
                "$BASE/api/users/user0001/collection")
            OVERLOAD_CURL=(-H "$auth" -H 'Content-Type: application/json' --data-binary "@$WORK/overload-post.json"
                "$BASE/api/users/user0001/collection")
            ;;
        *) echo "no open-loop request for $1" >&2; exit 2 ;;
    esac
}

# One curl request: "<status> <seconds> <Retry-After or ->"; status 000 when it got no answer
# within 5 s.
overload_probe() {
    local out
    rm -f "$WORK/overload-probe.headers"
    out=$(curl -s -o /dev/null -D "$WORK/overload-probe.headers" --max-time 5 -w '%{http_code} %{time_total}' \
        "${OVERLOAD_CURL[@]}" 2>/dev/null) || true
    echo "${out:-000 5} $(tr -d '\r' <"$WORK/overload-probe.headers" 2>/dev/null | awk -F': *' 'tolower($1) == "retry-after" {v = $2} END {print (v == "" ? "-" : v)}')"
}

# After a run, until the stack answers a probe within 100 ms twice in a row (at most 60 s):
# without admission limits it may still be working off what the run left queued.
overload_drain() {
    local ok=0 line
    for _ in $(seq 120); do
        line=$(overload_probe)
        if [[ "$line" == 2* ]] && awk -v t="$(cut -d' ' -f2 <<<"$line")" 'BEGIN { exit !(t < 0.1) }'; then
            ok=$((ok + 1)); ((ok < 2)) || return 0
        else
            ok=0
        fi
        sleep 0.5
    done
    echo "the stack did not recover within 60 s after the run" >&2
}

# The data service's batched reads so far, from its /metrics: "<requests> <keys fetched>" of
# micropost_reads (GET one) and collection_pages (GET a page).
overload_reads() {
    curl -fsS "http://127.0.0.1:$DATA_ADMIN/metrics" | awk '
        /^db_batch_requests_sum\{statement="(micropost_reads|collection_pages)"\}/ { r += $2 }
        /^db_batch_rows_sum\{statement="(micropost_reads|collection_pages)"\}/ { k += $2 }
        END { printf "%.0f %.0f\n", r, k }'
}

# The share of read requests between two overload_reads that shared another's key in one batch.
overload_merged() { # <before> <after>
    awk -v b="$1" -v a="$2" 'BEGIN { split(b, x, " "); split(a, y, " "); r = y[1] - x[1]; k = y[2] - x[2]
        if (r > 0) printf "%.0f %%", 100 * (r - k) / r; else printf "–" }'
}

# One open-loop run: h2load at <rate> req/s for DURATION + 1 seconds, curl probes meanwhile;
# prints the table row.
overload_run() { # <scenario> <factor> <peak 2xx req/s>
    local factor=$2 peak=$3 rate clients=$OVERLOAD_CLIENTS per_client total spread log="$WORK/overload.tsv" out="$WORK/overload.out" pid before merged
    rate=$(awk -v p="$peak" -v f="$factor" 'BEGIN { printf "%.0f", p * f }')
    [ "$clients" != auto ] || clients=$(awk -v r="$rate" 'BEGIN { c = int(r / 10 + 0.999); print (c < 64 ? 64 : c > 8000 ? 8000 : c) }')
    per_client=$(awk -v r="$rate" -v c="$clients" 'BEGIN { printf "%.4f", r / c }')
    # Connections are opened spread over one --rps period (-r per millisecond), so their timers
    # fire out of step: all opened at once, every client sends in the same instant and the
    # stack sees a burst of <clients> requests ten times a second instead of a steady rate
    # (a concurrency limit then refuses most of each burst, however idle it is in between).
    # -r excludes -D, so the run is a request count: the rate × (DURATION + 1) s.
    total=$(awk -v r="$rate" -v d="$DURATION" 'BEGIN { printf "%.0f", r * (d + 1) }')
    spread=$(awk -v c="$clients" -v q="$per_client" 'BEGIN { n = c / (1000 / q); n = int(n) < n ? int(n) + 1 : n; print (n < 1 ? 1 : n) }')
    echo "$1 at ${factor}× the peak: h2load --rps $per_client × $clients clients for $((DURATION + 1))s..." >&2
    rm -f "$log"
    (
        h2load --h1 -t"$OVERLOAD_THREADS" -c"$clients" -m1 --rps "$per_client" -n "$total" -r "$spread" --rate-period 1ms \
            --log-file "$log" "${OVERLOAD_H2LOAD[@]}" >"$out" 2>&1 || echo "h2load exited with $?" >>"$out"
        times >"$WORK/overload.times"
    ) &
    pid=$!
    before=$(overload_reads)
    : >"$WORK/overload.probes"
    sleep 1
    while kill -0 "$pid" 2>/dev/null; do
        overload_probe >>"$WORK/overload.probes"
        sleep 0.25
    done
    wait "$pid" || true
    if [ -n "$OVERLOAD_LOGS" ]; then
        mkdir -p "$OVERLOAD_LOGS"
        cp "$log" "$OVERLOAD_LOGS/$1-${factor}x.tsv"; cp "$out" "$OVERLOAD_LOGS/$1-${factor}x.out"
        cp "$WORK/overload.probes" "$OVERLOAD_LOGS/$1-${factor}x.probes"
    fi
    merged=$(overload_merged "$before" "$(overload_reads)")
    grep -q '^requests:' "$out" || { echo "h2load failed:" >&2; tail -5 "$out" >&2; exit 1; }
    python3 - "$log" "$out" "$WORK/overload.times" "$WORK/overload.probes" "$DURATION" "$factor" "$rate" \
        "$per_client" "$clients" "$peak" "$merged" <<'PY'
import re, sys
log, out, times, probes = sys.argv[1:5]
duration, factor, rate, per_client, clients, peak = (float(a) for a in sys.argv[5:11])
merged = sys.argv[11]

def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]

def ms(us):
    return "–" if us is None else f"{us / 1000:.1f}"

rows = []
for line in open(log):
    start, status, took = line.split("\t")[:3]
    rows.append((int(start), int(status), int(took)))
t0 = min((r[0] for r in rows), default=0)
window = [r for r in rows if r[0] < t0 + duration * 1e6]
ok = [r[2] for r in window if 200 <= r[1] < 300]
good = sum(1 for t in ok if t <= 1_000_000)
slow = sum(1 for t in ok if t > 1_000_000)
refused = [r[2] for r in window if r[1] == 503]
failed = sum(1 for r in window if r[1] == -1)
others = {}
for r in window:
    if r[1] != -1 and r[1] != 503 and not 200 <= r[1] < 300:
        others[r[1]] = others.get(r[1], 0) + 1

summary = open(out).read()
m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", summary)
started, done = int(m.group(2)), int(m.group(3))
# h2load's own run time: the requests' plus the time its connections took.
m = re.search(r"finished in ([\d.]+)(m?s)", summary)
seconds = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
# `times`: the subshell's own line, then its children's (h2load) user and system time.
def secs(text):
    mins, s = re.match(r"(\d+)m([\d.]+)s", text).groups()
    return int(mins) * 60 + float(s)
child = open(times).read().split("\n")[1].split()
cpu = (secs(child[0]) + secs(child[1])) / seconds

probe = [line.split() for line in open(probes) if line.strip()]
codes = {}
for p in probe:
    codes[p[0]] = codes.get(p[0], 0) + 1
probe_times = [float(p[1]) for p in probe]
with_retry = sum(1 for p in probe if p[0] == "503" and p[2] != "-")
retry_values = sorted({p[2] for p in probe if p[0] == "503" and p[2] != "-"})
probe_text = (", ".join(f"{n} × {c if c != '000' else 'no answer in 5 s'}" for c, n in sorted(codes.items()))
              + (f"; median {pct(probe_times, 50) * 1000:.0f} ms, max {max(probe_times) * 1000:.0f} ms" if probe_times else ""))
if "503" in codes:
    probe_text += f"; Retry-After on {with_retry} of {codes['503']} 503s" + (f" ({', '.join(retry_values)})" if retry_values else "")

print(f"| {factor:g}× | {rate:.0f} ({clients:.0f} × {per_client:g}) | {started / seconds:.0f} ({started / seconds / rate:.0%}) "
      f"| {good / duration:.0f} | {good / duration / peak:.2f} | {ms(pct(ok, 50))} / {ms(pct(ok, 99))} | {slow} "
      f"| {len(refused)} ({ms(pct(refused, 99))}) | {', '.join(f'{n} × {s}' for s, n in sorted(others.items())) or 0} "
      f"| {failed} / {started - done} | {merged} | {probe_text} | {cpu:.2f} |")
PY
    overload_drain
}

overload_report() {
    local scenario peak before rows=() factor
    for scenario in $SCENARIOS; do
        [ "$scenario" = static ] && { echo "skipping static: the overload test covers the /api/ requests" >&2; continue; }
        overload_request "$scenario"
        echo "$scenario: saturation, closed loop with wrk for ${DURATION}s..." >&2
        before=$(overload_reads)
        measure "$scenario" "$BASE"
        peak=$(awk -v n="$REQUESTS" -v bad="$(field "$RESULT" bad_status)" -v s="$(field "$RESULT" seconds)" \
            'BEGIN { printf "%.0f", (n - bad) / s }')
        rows+=("" "**${LABEL[$scenario]}** — saturation (\`wrk -t$THREADS -c$CONNECTIONS\`, closed loop): **$peak** 2xx req/s, p50 $(field "$RESULT" p50_ms) ms, p99 $(field "$RESULT" p99_ms) ms, errors $ERRORS / $REQUESTS; reads merged in data $(overload_merged "$before" "$(overload_reads)")." ""
            "| Offered | Offered req/s (clients × --rps) | Started req/s (of offered) | Goodput: 2xx ≤ 1 s, req/s | Goodput / peak | 2xx p50 / p99 (ms) | 2xx > 1 s | 503 (p99 ms) | Other statuses | Failed / never answered | Reads merged in data | curl probes meanwhile | h2load CPU (cores) |"
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|")
        for factor in $OVERLOAD_FACTORS; do
            rows+=("$(overload_run "$scenario" "$factor" "$peak")")
        done
    done
    [ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true

    echo "Stack: $(describe_stack); edge options: ${EDGE_ARGS:-none}."
    echo "Load: per scenario, closed-loop \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s\` after a ${WARMUP}s warm-up for the peak, then open loop at ${OVERLOAD_FACTORS// /× and }× that peak: \`h2load --h1 -t$OVERLOAD_THREADS -c<clients> -m1 --rps <rate / clients> -n <rate × $((DURATION + 1)) s> -r <clients per ms, spread over one period> --rate-period 1ms\` with $([ "$OVERLOAD_CLIENTS" = auto ] && echo "the rate × 100 ms as clients" || echo "$OVERLOAD_CLIENTS clients"), the requests started in the first ${DURATION}s counted; bearer token on every request; all on $(nproc) cores of $(uname -m) Linux ($(date -u +%Y-%m-%d))."
    echo "At most <clients> requests are in flight: h2load holds back what falls due on a busy connection (it sends it late, and times it from then), so a started rate below the offered one is load the stack never saw; the curl probes (a new connection every 0.25 s) show the latency without that wait. Never answered: started but without an answer when h2load stopped."
    printf '%s\n' "${rows[@]}"
}
