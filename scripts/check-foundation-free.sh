#!/usr/bin/env bash
# The edge and worker binaries must not use swift-corelibs-foundation (module "Foundation" on
# Linux), only FoundationEssentials: one use of it (FileHandle, String(format:), NSString's
# methods such as StringProtocol.contains, which a dependency's `import Foundation` can make the
# compiler pick silently) links ICU's data and ~44 MB more into each static binary and image.
# Checks the built executables' undefined symbols, so it needs no Docker; the compose test
# checks the image sizes themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-$(swift build --show-bin-path)}"
status=0
for product in edge worker; do
    uses="$(nm -D --undefined-only "$BIN/$product" | awk '{print $2}' | grep '10Foundation' | grep -v '20FoundationEssentials' || true)"
    if [ -n "$uses" ]; then
        echo "$product uses swift-corelibs-foundation (use FoundationEssentials or the standard library instead):"
        echo "$uses" | swift demangle --simplified | sed 's/^/  /' | head -20
        status=1
    else
        echo "$product: FoundationEssentials only"
    fi
done
exit $status
