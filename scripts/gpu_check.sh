#!/usr/bin/env bash
# The CUDA path's checks on a machine with an NVIDIA GPU, in one short run (CI has no GPU, so
# nothing else runs hact's CUDA code). Two steps:
#   scripts/gpu_check.sh pack   here, after scripts/build.sh: the test and benchmark programs,
#                               stripped and compressed into build-gpu/hact-gpu.tar.gz (~20 MB;
#                               the CUDA runtime is linked statically and libcuda is loaded at
#                               run time; Debian's libbenchmark goes along)
#   scripts/gpu_check.sh run    on the GPU machine, from the repository root (the device tool:
#                               carry ["build-gpu"]): unpacks, names the GPU, runs every CUDA
#                               test case (the op, GLU and strided suites' "cuda" cases, the
#                               Cuda* suites, the internal ones), a subset again under
#                               compute-sanitizer (memcheck with leak check: out-of-bounds
#                               device accesses, and device memory left allocated at exit)
#                               where the toolkit has it, the CUDA benchmark, and
#                               PyTorch's anchor where torch with CUDA is installed. Logs go to
#                               $OUT (the device tool brings them back) or build-gpu/out; a
#                               summary is printed at the end. The exit status is the tests'.
# Each step has a time limit (seconds: HACT_GPU_TEST_S, default 300; HACT_GPU_SANITIZE_S, 120;
# HACT_GPU_BENCH_S, 180; HACT_GPU_TORCH_S, 90), so that the whole fits the device budget with
# room for a second run.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pack=$repo/build-gpu/hact-gpu.tar.gz

case "${1:-}" in
pack)
    build=${HACT_BUILD_DIR:-$repo/build}
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    # The CUDA test cases and the CUDA benchmark exist only in a build that found a CUDA toolkit
    # (nvcc, cudart) and, for the benchmark, cuDNN's header: not installed by scripts/setup.sh.
    toolkit_hint="a CUDA toolkit with cuDNN on this machine (/usr/local/cuda), then scripts/build.sh"
    for prog in tests/hact_tests tests/hact_internal_tests bench/hact_bench_cuda; do
        [ -x "$build/$prog" ] || { echo "gpu_check: $build/$prog is missing (needs $toolkit_hint)" >&2; exit 1; }
        strip -o "$stage/$(basename "$prog")" "$build/$prog" || { echo "gpu_check: strip $prog failed" >&2; exit 1; }
    done
    # the shared libraries that the GPU machine may lack (Debian's Google Benchmark)
    ldd "$build/bench/hact_bench_cuda" | awk '/libbenchmark/ {print $3}' | xargs -r -I{} cp -L {} "$stage/"
    cp "$repo/scripts/bench_torch_cuda.py" "$stage/"
    mkdir -p "$(dirname "$pack")"
    tar -czf "$pack" -C "$stage" . || { echo "gpu_check: tar failed" >&2; exit 1; }
    echo "gpu_check: $pack ($(du -h "$pack" | cut -f1)); on the GPU machine: scripts/gpu_check.sh run"
    ;;
run)
    [ -f "$pack" ] || { echo "gpu_check: $pack is missing (scripts/gpu_check.sh pack, then carry build-gpu)" >&2; exit 1; }
    bin=$(mktemp -d)
    tar -xzf "$pack" -C "$bin"
    out=${OUT:-$repo/build-gpu/out}
    mkdir -p "$out"
    export LD_LIBRARY_PATH="$bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    { nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>&1 || true; } | tee "$out/gpu.txt"
    start=$(date +%s)
    timeout "${HACT_GPU_TEST_S:-300}" "$bin/hact_tests" --gtest_filter='*cuda*:Cuda*' > "$out/tests.log" 2>&1
    tests=$?
    timeout 120 "$bin/hact_internal_tests" --gtest_filter='*cuda*:*Cuda*' > "$out/internal_tests.log" 2>&1
    internal=$?
    echo "tests: $(( $(date +%s) - start )) s"
    # memcheck slows kernels 10-100x: the device suites and one op's cases (every direction,
    # dtype and the chunked calls), not the whole catalogue, nor the 3,000-call leak test (the
    # leak check covers it).
    sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)
    sanitize=skipped
    if [ -n "$sanitizer" ]; then
        timeout "${HACT_GPU_SANITIZE_S:-120}" "$sanitizer" --tool memcheck --leak-check full --error-exitcode 99 \
            "$bin/hact_tests" --gtest_filter='CudaDevice*:*silu*cuda*:*Glu*swiglu*cuda*:-CudaDevice.ManyCallsLeakNothing' > "$out/sanitize.log" 2>&1
        sanitize=$?
    else
        echo "compute-sanitizer not found: the memcheck step is skipped" > "$out/sanitize.log"
    fi
    timeout "${HACT_GPU_BENCH_S:-180}" "$bin/hact_bench_cuda" --benchmark_repetitions=5 \
        --benchmark_report_aggregates_only=true --benchmark_out="$out/bench_cuda.json" \
        --benchmark_out_format=json > "$out/bench_cuda.txt" 2>&1
    bench=$?
    timeout "${HACT_GPU_TORCH_S:-90}" python3 "$bin/bench_torch_cuda.py" > "$out/bench_torch.txt" 2>&1
    torch=$?
    for log in tests internal_tests; do
        echo "== $log (cuda cases): $out/$log.log"
        grep -E '^\[  (PASSED|SKIPPED|FAILED) +\] [0-9]+ tests?' "$out/$log.log"
        grep -E '^\[  FAILED  \] [^0-9]' "$out/$log.log" | sort -u | head -40
    done
    echo "exit: hact_tests $tests, hact_internal_tests $internal"
    echo "== compute-sanitizer memcheck: exit $sanitize (99: errors found; $out/sanitize.log)"
    grep -E 'ERROR SUMMARY|LEAK SUMMARY|Invalid|leaked' "$out/sanitize.log" | sort | uniq -c | head -20
    echo "== hact_bench_cuda: exit $bench (medians, $out/bench_cuda.json)"
    grep -E '_median' "$out/bench_cuda.txt" | awk '{print $1, $2, $3, $NF}' | head -80
    echo "== bench_torch_cuda.py: exit $torch"
    head -40 "$out/bench_torch.txt"
    [ "$tests" -eq 0 ] && [ "$internal" -eq 0 ]
    ;;
*)
    echo "usage: scripts/gpu_check.sh pack | run" >&2
    exit 2
    ;;
esac
