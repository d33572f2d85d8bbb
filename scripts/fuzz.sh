#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, with AddressSanitizer) of the RPC's frame and payload
# decoders and of the edge's request path, bounded in time. Each fuzzer starts from its
# committed corpus (Fuzz/Corpus/<name>) and the inputs that once failed (Fuzz/Regressions/<name>);
# what it finds on the way is kept in a scratch folder, not in the repository. A failing input
# is printed (path and base64) and the script exits non-zero: add it to Fuzz/Regressions/<name>
# with the fix, and FuzzTargetsTests replays it on every test run.
#
#   scripts/fuzz.sh [seconds per fuzzer]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds=${1:-60}
scratch=.build/fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Not `--sanitize=fuzzer --sanitize=address`: SwiftPM passes those in no fixed order and the
# compiler keeps only the last `-sanitize=`, so every other build lost its coverage (and rebuilt
# everything). `--sanitize=fuzzer` tells SwiftPM that libFuzzer provides `main`; the combined
# flag after it is the one swiftc keeps. C dependencies run under ASan uninstrumented.
# The fuzzers export no traces: built without the OTLP exporter trait (Package.swift).
flags=(--sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLIBFUZZER --disable-default-traits --scratch-path "$scratch")

status=0
for pair in rpc-wire:rpc-wire-fuzzer edge-request:edge-request-fuzzer; do
    name=${pair%%:*}
    product=${pair#*:}
    # One product per build: SwiftPM keeps only the last of several --product flags.
    if ! swift build "${flags[@]}" --product "$product" > "$work/build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$work/build.log" | tail -n 40
        echo "$product: the build failed"
        exit 1
    fi
    binary=$(swift build "${flags[@]}" --show-bin-path)/$product
    mkdir -p "$work/$name/found" "$work/$name/artifacts"
    seeds=(Fuzz/Corpus/$name)
    [ -d "Fuzz/Regressions/$name" ] && seeds+=(Fuzz/Regressions/$name)
    echo "fuzzing $name for ${seconds} s"
    # Leaks are not checked: the Swift runtime's caches and the process-wide event loops live
    # until exit by design, and LeakSanitizer reports them.
    # SWIFT_BACKTRACE=enable=no: on a trap, Swift's own crash handler reads other threads'
    # stacks, which AddressSanitizer reports as an underflow in the handler and the real fault
    # (the fatal error's message and its stack) is lost.
    if ! ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$binary" "$work/$name/found" "${seeds[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
        -artifact_prefix="$work/$name/artifacts/" -print_final_stats=1 > "$work/$name/log" 2>&1; then
        status=1
        # The fault's first lines (a fatal error's message, the sanitizer's report and stack),
        # then how the run ended.
        grep -m 1 -A 60 -E "Fatal error|ERROR: (AddressSanitizer|libFuzzer)|deadly signal" "$work/$name/log" || true
        echo "…"
        tail -n 20 "$work/$name/log"
        for artifact in "$work/$name/artifacts"/*; do
            [ -f "$artifact" ] || continue
            echo "FAILING INPUT for $name: $(basename "$artifact")"
            base64 -w0 "$artifact"; echo
        done
    else
        grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^Done " "$work/$name/log" || true
        echo "$name: $(ls "$work/$name/found" | wc -l) new inputs, no failure"
    fi
done
exit $status
