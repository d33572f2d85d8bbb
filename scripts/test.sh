#!/usr/bin/env bash
# The whole test suite: every library's and service's test target, against real PostgreSQL
# clusters and real service processes on loopback. Bounded: each test stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

# Style first: it takes seconds (the rules are in .swift-format).
swift format lint --strict --recursive Shared Services Tests Tools Benchmarks Fuzz Package.swift
# Every module a target imports is declared in Package.swift.
scripts/check-imports.py
swift build --build-tests
# The next release of the data service and worker, for the rolling-upgrade test.
FIXTURE_V2_BIN="$(scripts/build-fixture-v2.sh)"
export FIXTURE_V2_BIN
swift test --skip-build
# The hostile-input, RPC and edge suites again under AddressSanitizer and ThreadSanitizer.
scripts/sanitizers.sh
# libFuzzer on the RPC decoders and the edge's request path, a minute each, from the committed corpus.
scripts/fuzz.sh 60
scripts/check-foundation-free.sh
scripts/validate-deploy.sh
# The running system fuzzed against its OpenAPI document: no 5xx, no schema violations.
scripts/schemathesis.sh
# The real images in a real Docker engine: build, up, scale, kill, restart, stop (skipped with a
# message when no engine answers).
scripts/compose-test.py
