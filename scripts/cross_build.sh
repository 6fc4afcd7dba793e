#!/usr/bin/env bash
# Cross-compile hact for AArch64 (the NEON variants) with Debian's cross toolchain, in
# build-aarch64/ (or $HACT_CROSS_BUILD_DIR): kernels from the host build's generator programs,
# the runtime, libhact.a and the test suite for aarch64. ctest in that directory runs the suite
# under qemu-aarch64 (scripts/test.sh does). Extra arguments go to the configure.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${HACT_VENV:-$repo/.venv}
host_build=${HACT_BUILD_DIR:-$repo/build}
build=${HACT_CROSS_BUILD_DIR:-$repo/build-aarch64}
for tool in aarch64-linux-gnu-g++ qemu-aarch64; do
  command -v "$tool" > /dev/null || { echo "cross_build: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
# The host build's generator programs: hact's, and the test's independent Halide pipeline's.
HACT_BUILD_TARGETS="hact-halide_generators hact_foreign-halide_generators" "$repo/scripts/build.sh"
halide_dir=$("$venv/bin/python" -c 'import halide, os; print(os.path.join(os.path.dirname(halide.__file__), "lib64", "cmake"))')
"$venv/bin/cmake" -S "$repo" -B "$build" -G Ninja -DCMAKE_MAKE_PROGRAM="$venv/bin/ninja" \
  -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchains/aarch64-linux-gnu.cmake" \
  -DCMAKE_PREFIX_PATH="$halide_dir" -Dhact-halide_generators_ROOT="$host_build/cmake" \
  -Dhact_foreign-halide_generators_ROOT="$host_build/cmake" -DCMAKE_BUILD_TYPE=Release "$@" > /dev/null
"$venv/bin/cmake" --build "$build"
