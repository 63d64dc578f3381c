#!/bin/sh
# Peak memory of turning a 10 MB image into a data URL and sending it (issue 7: at most ~3x the file).
# Runs the skipped-by-default MediaMemoryBenchTests in its own process; prints numbers, never fails on one.
# Build first: swift build --build-tests
set -e
cd "$(dirname "$0")/.."
DASHSCOPE_BENCH=1 swift test --skip-build --filter MediaMemoryBenchTests 2>&1 | grep '^bench:'
