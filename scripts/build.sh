#!/usr/bin/env bash
# Configure and build hact in build/ (or $HACT_BUILD_DIR) with the project virtualenv's tools.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${HACT_VENV:-$repo/.venv}
build=${HACT_BUILD_DIR:-$repo/build}
halide_dir=$("$venv/bin/python" -c 'import halide, os; print(os.path.join(os.path.dirname(halide.__file__), "lib64", "cmake"))')
if [ ! -f "$build/build.ninja" ]; then
  "$venv/bin/cmake" -S "$repo" -B "$build" -G Ninja \
    -DCMAKE_MAKE_PROGRAM="$venv/bin/ninja" \
    -DCMAKE_PREFIX_PATH="$halide_dir;$venv" \
    -DCMAKE_BUILD_TYPE=Release "$@"
fi
"$venv/bin/cmake" --build "$build"
