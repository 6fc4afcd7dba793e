#!/usr/bin/env bash
# Configure and build hact in build/ (or $HACT_BUILD_DIR) with the project virtualenv's tools.
#   scripts/build.sh [-D<cache option>=<value> ...]   (options reconfigure an existing build)
#   HACT_BUILD_TARGETS   build only these targets (e.g. hact-halide_generators: the generator
#                        programs, what scripts/regenerate.sh and scripts/cross_build.sh need)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${HACT_VENV:-$repo/.venv}
build=${HACT_BUILD_DIR:-$repo/build}
if [ ! -x "$venv/bin/python" ]; then
  echo "build: no virtualenv at $venv: run scripts/setup.sh first (it installs Halide, CMake, ninja)" >&2
  exit 1
fi
halide_dir=$("$venv/bin/python" -c 'import halide, os; print(os.path.join(os.path.dirname(halide.__file__), "lib64", "cmake"))')
# Configured once; again whenever cache arguments are given (-DHACT_ONEDNN_ROOT=..., -DHACT_CUDA=OFF):
# they would otherwise be ignored by an existing build.
if [ ! -f "$build/build.ninja" ] || [ $# -gt 0 ]; then
  "$venv/bin/cmake" -S "$repo" -B "$build" -G Ninja \
    -DCMAKE_MAKE_PROGRAM="$venv/bin/ninja" \
    -DCMAKE_PREFIX_PATH="$halide_dir;$venv" \
    -DCMAKE_BUILD_TYPE=Release "$@"
fi
targets=()
for t in ${HACT_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
"$venv/bin/cmake" --build "$build" "${targets[@]}"
