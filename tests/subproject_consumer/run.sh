#!/usr/bin/env bash
# Subproject check (run by hand; too slow for the suite: it builds the library
# again): a scratch project with subprojects/hypervec -> this source tree
# configures with hypervec's optional parts off, builds and runs the install
# consumer through dependency('hypervec').
# Usage: tests/subproject_consumer/run.sh [SHARED]  (SHARED=1: default_library=shared)
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/hypervec-subproject.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/project/subprojects"
cp "$src/tests/subproject_consumer/meson.build" "$src/tests/install_consumer/consumer.cpp" "$work/project/"
ln -s "$src" "$work/project/subprojects/hypervec"
opts=(-Dhypervec:simd_targets=best)  # fewer targets: a faster build
[ "${1:-0}" = 1 ] && opts+=(-Dhypervec:default_library=shared)
meson setup "$work/build" "$work/project" "${opts[@]}" | grep -E "Optional parts|tests|benchmarks|cli|examples|links" || true
ninja -C "$work/build" consumer > "$work/ninja.log" 2>&1 || { tail -20 "$work/ninja.log" >&2; exit 1; }
"$work/build/consumer"
if [ "${1:-0}" = 1 ]; then
  readelf -d "$work/build/consumer" | grep -q "NEEDED.*libhypervec.so.0" || { echo "consumer does not use the .so" >&2; exit 1; }
fi
echo "subproject consumer OK"
