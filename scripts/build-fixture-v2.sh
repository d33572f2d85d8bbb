#!/usr/bin/env bash
# Builds "v2" of the data service and the worker for the rolling-upgrade test
# (Tests/MasterServiceTests/Process/RollingUpgradeProcessTests.swift): this working tree with
# Tests/Fixtures/RollingUpgrade/v2.patch applied, as the next release would be. The patch adds
# a field to Micropost (`length`), a data method (`microposts.count`) that v2 workers call
# where it is served, and an expand migration that builds an index concurrently.
#
#   scripts/build-fixture-v2.sh      (prints the folder holding v2's `data` and `worker`)
#
# The build has a scratch folder of its own (.build/fixture-v2), so the first one compiles the
# dependencies too. A patch that no longer applies fails here: refresh it from a tree with the
# change made (`git diff > Tests/Fixtures/RollingUpgrade/v2.patch`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
work="$PWD/.build/fixture-v2"
source="$work/src"
rm -rf "$source"
mkdir -p "$source"
# The tree as it is, committed or not, without build products.
tar -c --exclude=./.build --exclude=./.git --exclude='./.build*' . | tar -x -C "$source"
patch --quiet --forward --strip=1 --directory="$source" < Tests/Fixtures/RollingUpgrade/v2.patch >&2
swift build --package-path "$source" --scratch-path "$work/build" --product data >&2
swift build --package-path "$source" --scratch-path "$work/build" --product worker >&2
swift build --package-path "$source" --scratch-path "$work/build" --show-bin-path
