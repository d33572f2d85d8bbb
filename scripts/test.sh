#!/usr/bin/env bash
# The whole test suite: every library's and service's test target, against real PostgreSQL
# clusters and real service processes on loopback. Bounded: each test stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

swift build --build-tests
swift test --skip-build
scripts/check-foundation-free.sh
scripts/validate-deploy.sh
# The running system fuzzed against its OpenAPI document: no 5xx, no schema violations.
scripts/schemathesis.sh
# The real images in a real Docker engine: build, up, scale, kill, restart, stop (skipped with a
# message when no engine answers).
scripts/compose-test.py
