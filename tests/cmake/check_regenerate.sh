#!/usr/bin/env bash
# ctest hact_regenerate: scripts/regenerate.sh refuses bad target strings with a clear message,
# and for arm-64-linux writes a package whose src/ the AArch64 cross toolchain finishes into a
# libhact.a (only hact_* global) that examples/demo.c links with and runs under qemu-aarch64.
#   check_regenerate.sh <repo> <work dir>
set -euo pipefail
repo=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
# Any command that fails says so last, where a log excerpt shows it (set -e alone exits silently).
trap 'rc=$?; echo "FAIL: check_regenerate.sh line $LINENO exited $rc: $BASH_COMMAND" >&2' ERR
# Runs a step with its output in <work>/<name>.log; on failure, prints the log's tail and stops.
# Halide's "(b)float16 ... is emulated" notes (one per bf16/f16 kernel) are left out of the tail.
step() {
  local name=$1
  shift
  if ! "$@" > "$work/$name.log" 2>&1; then
    echo "---- last lines of $work/$name.log ----" >&2
    { grep -v 'type operation is emulated' "$work/$name.log" || true; } | tail -40 >&2
    fail "step '$name' failed: $*"
  fi
}

# 1. Bad targets: exit 2, and a message that says what is wrong.
expect_refusal() {
  local target=$1 pattern=$2
  if "$repo/scripts/regenerate.sh" "$target" "$work/bad" > "$work/bad.out" 2> "$work/bad.err"; then
    fail "regenerate.sh accepted '$target'"
  fi
  grep -q -- "$pattern" "$work/bad.err" || { cat "$work/bad.err" >&2; fail "no '$pattern' for '$target'"; }
  [ ! -e "$work/bad" ] || fail "'$target' left an output directory"
  echo "refused '$target': $(grep -m1 -- "$pattern" "$work/bad.err")"
}
expect_refusal "arm-64-bogus" "not a Halide target string"
expect_refusal "x86-64-linux-avx9" "not a Halide target string"
expect_refusal "riscv-64-linux" "64-bit x86 (x86-64-...) and AArch64 (arm-64-...) only"
expect_refusal "host" "name the architecture, bits and operating system"
expect_refusal "" "name the architecture, bits and operating system"
# A feature the filled variant's CPU check does not cover (SVE on the neon variant): refused by
# the configure step, before anything is generated.
expect_refusal "arm-64-linux-sve2" "Halide target 'arm-64-linux-sve2' fills the"
# An output directory that is not an earlier output (e.g. an install prefix) is not replaced.
mkdir -p "$work/notmine" && echo keep > "$work/notmine/file"
if "$repo/scripts/regenerate.sh" arm-64-linux "$work/notmine" > "$work/notmine.out" 2> "$work/notmine.err"; then
  fail "regenerate.sh replaced a directory that is not its output"
fi
grep -q "is not an earlier output" "$work/notmine.err" || { cat "$work/notmine.err" >&2; fail "no refusal message"; }
[ -f "$work/notmine/file" ] || fail "regenerate.sh deleted a directory that is not its output"
echo "refused to replace $work/notmine: $(cat "$work/notmine.err")"
if "$repo/scripts/regenerate.sh" arm-64-linux "" > /dev/null 2> "$work/empty.err"; then fail "accepted an empty output"; fi
grep -q "output directory is empty" "$work/empty.err" || { cat "$work/empty.err" >&2; fail "no message for ''"; }

# 2. A package for arm-64-linux.
pkg=$work/pkg
start=$(date +%s)
step regenerate env HACT_REGEN_BUILD_DIR="$work/regen" "$repo/scripts/regenerate.sh" arm-64-linux "$pkg"
grep '^\[regenerate\]' "$work/regenerate.log"
echo "regenerated arm-64-linux in $(( $(date +%s) - start )) s"
for f in lib/libhact_kernels.a include/hact/hact.h include/hact/activations.def src/CMakeLists.txt \
         src/generated/hact_kernels.inc src/halide/HalideRuntime.h hact-target.txt; do
  [ -f "$pkg/$f" ] || fail "the package lacks $f"
done
grep -q "^halide_target=arm-64-linux$" "$pkg/hact-target.txt" || fail "hact-target.txt: $(cat "$pkg/hact-target.txt")"
grep -q "^hact_isa=neon$" "$pkg/hact-target.txt" || fail "hact-target.txt: $(cat "$pkg/hact-target.txt")"
# The object's ELF header names its machine (the cross binutils' readelf: no `file` needed).
machine=$(cd "$work" && aarch64-linux-gnu-ar x "$pkg/lib/libhact_kernels.a" hk_silu_fwd_f32_neon.a.o 2>&1 \
          && aarch64-linux-gnu-readelf -h hk_silu_fwd_f32_neon.a.o 2>&1 | grep 'Machine:' || true)
[[ $machine == *AArch64* ]] || fail "hk_silu_fwd_f32_neon.a.o is not an AArch64 object: $machine"

# 3. Finished with the cross toolchain, linked into the demo, run under emulation.
cmake=${CMAKE:-cmake}
step finish_configure "$cmake" -S "$pkg/src" -B "$work/finish" -G "${GENERATOR:-Ninja}" \
  ${MAKE_PROGRAM:+-DCMAKE_MAKE_PROGRAM=$MAKE_PROGRAM} -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchains/aarch64-linux-gnu.cmake"
step finish_build "$cmake" --build "$work/finish"
lib=$work/finish/lib/libhact.a
globals=$(aarch64-linux-gnu-nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | grep -v '^hact_' || true)
[ -z "$globals" ] || fail "libhact.a defines global symbols other than hact_*: ${globals:0:300}"
step demo_link aarch64-linux-gnu-gcc -std=c99 -O2 -I "$pkg/include" "$repo/examples/demo.c" "$lib" \
  -lpthread -ldl -lm -o "$work/demo"
step demo_run qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/demo"
# grep reads the file, not a pipe: with pipefail, `echo "$out" | grep -q` fails at random when
# grep exits at its first match before echo has written everything (SIGPIPE).
sed -n 1,3p "$work/demo_run.log"
grep -q "running the neon variant" "$work/demo_run.log" || fail "the demo did not run the neon variant"
grep -q "^silu" "$work/demo_run.log" || fail "the demo printed no silu table"
echo "PASS"
