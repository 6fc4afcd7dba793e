#!/usr/bin/env bash
# Regenerate hact for any Halide target, without a compiler for it:
#   scripts/regenerate.sh <halide-target> <output-dir>
#   e.g. scripts/regenerate.sh arm-64-android out/android
#        scripts/regenerate.sh x86-64-linux-avx2 out/avx2
# Writes <output-dir>/lib/libhact_kernels.a (every kernel + one Halide runtime, for that target),
# <output-dir>/include/hact/ and <output-dir>/src/ (the C runtime's sources and a CMakeLists.txt
# that finishes lib/libhact.a with the target's compiler); docs/targets.md explains them. The
# output directory must be new, empty, or an earlier output (it is replaced).
# The generator programs come from the host build (build/, or $HACT_BUILD_DIR), built if needed;
# the kernels are generated in build-regen/<target>/ (or $HACT_REGEN_BUILD_DIR).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${HACT_VENV:-$repo/.venv}
say() { printf '[regenerate] %s\n' "$*"; }
if [ $# -ne 2 ]; then
  echo "usage: $0 <halide-target> <output-dir>   (e.g. $0 arm-64-android out/android)" >&2
  exit 2
fi
target=$1
out=$2
# The output directory is replaced: refuse one that is not a previous output of this script (a
# prefix such as /usr/local, or an empty argument, which cmake --install would take as /usr/local).
if [ -z "$out" ]; then
  echo "regenerate: the output directory is empty" >&2
  exit 2
fi
if [ -e "$out" ] && { [ ! -d "$out" ] || { [ -n "$(ls -A "$out")" ] && [ ! -f "$out/hact-target.txt" ]; }; }; then
  echo "regenerate: '$out' exists and is not an earlier output of regenerate.sh (no hact-target.txt);" \
       "name a new or empty directory: it is replaced" >&2
  exit 2
fi
start=$(date +%s)
"$repo/scripts/setup.sh"

# The target string, checked by Halide itself and written out in full (its canonical form).
if ! canon=$("$venv/bin/python" - "$target" <<'PY'
import sys
import halide
t = sys.argv[1]
if not t or t.startswith("host") or t.count("-") < 2:
    sys.exit(f"'{t}': name the architecture, bits and operating system, e.g. arm-64-android, "
             "x86-64-linux-avx2 (not 'host': the kernels are for another machine)")
try:
    parsed = halide.Target(t)
except Exception as e:  # Halide's own message lists what it understands
    sys.exit(f"'{t}' is not a Halide target string:\n{e}")
canon = str(parsed)
if not (canon.startswith("x86-64-") or canon.startswith("arm-64-")):
    sys.exit(f"'{t}': hact has schedules for 64-bit x86 (x86-64-...) and AArch64 (arm-64-...) only")
print(canon)
PY
); then
  echo "regenerate: invalid target" >&2
  exit 2
fi
say "target $canon"

host_build=${HACT_BUILD_DIR:-$repo/build}
say "generator programs (host build $host_build)"
HACT_BUILD_TARGETS=hact-halide_generators "$repo/scripts/build.sh"

regen=${HACT_REGEN_BUILD_DIR:-$repo/build-regen/$canon}
mkdir -p "$(dirname "$regen")"
halide_dir=$("$venv/bin/python" -c 'import halide, os; print(os.path.join(os.path.dirname(halide.__file__), "lib64", "cmake"))')
"$venv/bin/cmake" -S "$repo" -B "$regen" -G Ninja -DCMAKE_MAKE_PROGRAM="$venv/bin/ninja" \
  -DCMAKE_PREFIX_PATH="$halide_dir" -Dhact-halide_generators_ROOT="$host_build/cmake" \
  -DHACT_KERNELS_ONLY=ON -DHACT_TARGET="$canon" -DCMAKE_BUILD_TYPE=Release > "$regen.configure.log" 2>&1 \
  || { sed -n "/CMake Error/,/Configuring incomplete/p" "$regen.configure.log" >&2; echo "regenerate: configure failed (log: $regen.configure.log)" >&2; exit 2; }
say "generating the kernels in $regen"
"$venv/bin/cmake" --build "$regen"
rm -rf "$out"
"$venv/bin/cmake" --install "$regen" --prefix "$out" > /dev/null
say "done in $(( $(date +%s) - start )) s: $out"
say "  $out/lib/libhact_kernels.a  ($(du -h "$out/lib/libhact_kernels.a" | cut -f1))"
say "  finish libhact.a with the target's compiler:"
say "  cmake -S $out/src -B <dir> -DCMAKE_TOOLCHAIN_FILE=<your toolchain> && cmake --build <dir>"
