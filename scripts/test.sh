#!/usr/bin/env bash
# Quick start, command 2: set up, build, and run the whole test suite (ctest): the x86-64 build,
# then the AArch64 cross build (NEON variants) with the same suite under qemu-aarch64.
# Arguments go to both ctest runs (e.g. -R silu).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ctest=${HACT_VENV:-$repo/.venv}/bin/ctest
"$repo/scripts/setup.sh"
"$repo/scripts/build.sh"
(cd "${HACT_BUILD_DIR:-$repo/build}" && "$ctest" --output-on-failure -j2 "$@")
echo "[test] AArch64: cross build, and the suite under qemu-aarch64"
"$repo/scripts/cross_build.sh"
(cd "${HACT_CROSS_BUILD_DIR:-$repo/build-aarch64}" && "$ctest" --output-on-failure -j2 "$@")
