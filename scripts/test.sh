#!/usr/bin/env bash
# Quick start, command 2: set up, build, and run the whole test suite (ctest): the x86-64 build,
# then the AArch64 cross build (NEON variants) with the same suite under qemu-aarch64.
# Arguments go to both ctest runs (e.g. -R silu). Each phase prints its wall time.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ctest=${HACT_VENV:-$repo/.venv}/bin/ctest
phase() {
  local name=$1 start
  shift
  start=$(date +%s)
  "$@"
  echo "[test] $name: $(( $(date +%s) - start )) s"
}
# ctest in a build directory; when tests fail, their names and the last lines of each one's output
# are printed again at the very end (after ctest's long list of skipped CUDA cases), so that the
# tail of a CI log says what failed and why.
run_ctest() {
  local dir=$1 rc=0
  shift
  (cd "$dir" && "$ctest" --output-on-failure -j2 "$@") || rc=$?
  if [ $rc -ne 0 ] && [ -s "$dir/Testing/Temporary/LastTestsFailed.log" ]; then
    echo "==== failed in $dir ===="
    while IFS=: read -r _ name; do
      echo "---- $name: last lines of its output ----"
      awk -v t=" Testing: $name" 'substr($0, length($0) - length(t) + 1) == t {p = 1}
                                    p && /^<end of output>/ {exit} p' "$dir/Testing/Temporary/LastTest.log" \
        | { grep -v 'type operation is emulated' || true; } | tail -25
    done < "$dir/Testing/Temporary/LastTestsFailed.log"
  fi
  return $rc
}
phase "setup" "$repo/scripts/setup.sh"
phase "x86-64 build" "$repo/scripts/build.sh"
phase "x86-64 tests" run_ctest "${HACT_BUILD_DIR:-$repo/build}" "$@"
phase "AArch64 cross build" "$repo/scripts/cross_build.sh"
phase "AArch64 tests (qemu)" run_ctest "${HACT_CROSS_BUILD_DIR:-$repo/build-aarch64}" "$@"
