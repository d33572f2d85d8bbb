#!/usr/bin/env bash
# The edge and worker code must not use swift-corelibs-foundation (module "Foundation" on
# Linux), only FoundationEssentials: one use of it (FileHandle, String(format:), NSString's
# methods such as StringProtocol.contains, which a dependency's `import Foundation` can make the
# compiler pick silently) links ICU's data and ~44 MB more into each static binary and image.
# The one use allowed is swift-otel 1.6's (`trimmingCharacters(in: .whitespacesAndNewlines)` in
# OTel+Configuration+EnvironmentVariableRepresentable.swift), which links Foundation into every
# binary that can export traces; any other use still fails, so the kit's own code stays
# FoundationEssentials-only for the day that one goes.
# Checks the built executables' undefined symbols, so it needs no Docker; the compose test
# checks the image sizes themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-$(swift build --show-bin-path)}"
# swift-otel's: CharacterSet.whitespacesAndNewlines and StringProtocol.trimmingCharacters(in:).
ALLOWED=(
    '$s10Foundation12CharacterSetV22whitespacesAndNewlinesACvgZ'
    '$sSy10FoundationE18trimmingCharacters2inSSAA12CharacterSetV_tF'
)
status=0
for product in edge worker; do
    uses="$(nm -D --undefined-only "$BIN/$product" | awk '{print $2}' | grep '10Foundation' | grep -v '20FoundationEssentials' \
        | grep -v -x -F -f <(printf '%s\n' "${ALLOWED[@]}") || true)"
    if [ -n "$uses" ]; then
        echo "$product uses swift-corelibs-foundation (use FoundationEssentials or the standard library instead):"
        echo "$uses" | swift demangle --simplified | sed 's/^/  /' | head -20
        status=1
    else
        echo "$product: FoundationEssentials only (but swift-otel's allowed use)"
    fi
done
exit $status
