#!/usr/bin/env bash
# The hostile-input, RPC and edge suites again, built with AddressSanitizer and then with
# ThreadSanitizer. Every process writes its reports to a folder (the end-to-end tests start
# service processes that are sanitized too); any report fails the run and is printed.
#
#   scripts/sanitizers.sh [address|thread]…   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
sanitizers=("$@")
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(address thread)

# RPC, edge and payload decoding suites, the fuzzing corpus, and the end-to-end hostile tests.
filter='^(RPCTests|EdgeServiceTests|AppServerProtocolTests|MicropostsModelsTests|FuzzTargetsTests)\.|\.HostileInputTests/'
# Tests that judge memory use: a sanitizer's shadow memory and quarantine make it grow by design.
skip='testTenThousandIdleConnections'

status=0
for sanitizer in "${sanitizers[@]}"; do
    scratch=.build/sanitize-$sanitizer
    reports=$(mktemp -d)
    # Run as root, the tests start the services as `nobody`: they must be able to write here too.
    chmod 1777 "$reports"
    start=$SECONDS
    # Without the OTLP exporter: swift-otel does not compile with -sanitize=thread (Package.swift).
    if ! swift build --build-tests --disable-default-traits --sanitize="$sanitizer" --scratch-path "$scratch" > "$reports/build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$reports/build.log" | tail -n 40
        echo "$sanitizer: the build failed"
        exit 1
    fi
    built=$SECONDS
    case $sanitizer in
        # Leaks are not checked: the Swift runtime's caches and the process-wide event loops
        # live until exit by design, and LeakSanitizer reports them.
        address) export ASAN_OPTIONS="log_path=$reports/report:detect_leaks=0" ;;
        thread) export TSAN_OPTIONS="log_path=$reports/report:suppressions=$PWD/scripts/tsan-suppressions.txt" ;;
    esac
    tests=0
    timeout 1200 swift test --skip-build --disable-default-traits --sanitize="$sanitizer" --scratch-path "$scratch" --filter "$filter" --skip "$skip" \
        > "$reports/tests.log" 2>&1 || tests=$?
    unset ASAN_OPTIONS TSAN_OPTIONS
    grep -E "^Test Suite 'Selected tests'|Executed [0-9]+ tests" "$reports/tests.log" | tail -n 2 || true
    if [ "$tests" != 0 ]; then
        grep -E "error: |failed" "$reports/tests.log" | head -n 40 || true
        echo "$sanitizer: the test run failed (status $tests)"
        status=1
    fi
    if compgen -G "$reports/report.*" > /dev/null; then
        cat "$reports"/report.*
        echo "$sanitizer: $(ls "$reports"/report.* | wc -l) process(es) reported errors"
        status=1
    fi
    echo "$sanitizer: build $((built - start)) s, tests $((SECONDS - built)) s"
    rm -rf "$reports"
done
exit $status
