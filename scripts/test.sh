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
phase "setup" "$repo/scripts/setup.sh"
phase "x86-64 build" "$repo/scripts/build.sh"
phase "x86-64 tests" bash -c 'cd "$1" && shift && "$@"' _ "${HACT_BUILD_DIR:-$repo/build}" \
  "$ctest" --output-on-failure -j2 "$@"
phase "AArch64 cross build" "$repo/scripts/cross_build.sh"
phase "AArch64 tests (qemu)" bash -c 'cd "$1" && shift && "$@"' _ "${HACT_CROSS_BUILD_DIR:-$repo/build-aarch64}" \
  "$ctest" --output-on-failure -j2 "$@"
