#!/usr/bin/env bash
# Run hact's benchmark suite (bench/hact_bench) and regenerate docs/performance.md from its JSON.
#   scripts/bench.sh [-r REPS] [-p PROCS] [-f FILTER] [-t MIN_TIME] [-j JSON] [-o MARKDOWN] [-- BENCHMARK ARGS...]
#     -r  repetitions per benchmark (default 5); the tables use their median
#     -p  processes the oneDNN anchors run in (default 3; 1: only the main run): each anchor is
#         taken from its fastest process, as oneDNN's speed is fixed per process and differs
#         between processes here (experiments/onednn_process_modes.cpp)
#     -f  --benchmark_filter regex, e.g. 'silu/fwd/avx512|copy' (default: everything)
#     -t  --benchmark_min_time in seconds per repetition, a plain number (Google Benchmark 1.7)
#     -j  JSON output (default <build>/bench/hact_bench.json)
#     -o  markdown output (default docs/performance.md)
#   after --: passed to the binary as is (e.g. --benchmark_enable_random_interleaving=false).
# Repetitions run interleaved in random order across all benchmarks (Google Benchmark's
# --benchmark_enable_random_interleaving): a kernel and its anchors are then sampled over the same
# stretch of time, so a burst of load on this shared machine moves both, not one row's median.
# Environment: HACT_BUILD_DIR (default <repo>/build), HACT_VENV (default <repo>/.venv). The binary
# is built first if needed. For the oneDNN anchor configure with -DHACT_ONEDNN_ROOT=<prefix of a
# oneDNN with the OpenMP or sequential CPU runtime> (see bench/CMakeLists.txt).
# Run it on a quiet machine: the figures are only as good as the machine is idle.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${HACT_VENV:-$repo/.venv}
build=${HACT_BUILD_DIR:-$repo/build}
orig_args=("$@")
reps=5 procs=3 filter="" min_time="" json="" md="$repo/docs/performance.md"
while getopts "r:p:f:t:j:o:h" opt; do
  case $opt in
    r) reps=$OPTARG ;;
    p) procs=$OPTARG ;;
    f) filter=$OPTARG ;;
    t) min_time=$OPTARG ;;
    j) json=$OPTARG ;;
    o) md=$OPTARG ;;
    *) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[[ $procs =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: -p takes a positive number of processes, not '$procs'" >&2; exit 2; }
[ "${1:-}" = "--" ] && shift
json=${json:-$build/bench/hact_bench.json}

[ -f "$build/build.ninja" ] || HACT_BUILD_DIR="$build" "$repo/scripts/build.sh"
"$venv/bin/cmake" --build "$build" --target hact_bench

cmd=("$build/bench/hact_bench" "--benchmark_repetitions=$reps" --benchmark_report_aggregates_only=true
     --benchmark_enable_random_interleaving=true
     "--benchmark_out=$json" --benchmark_out_format=json)
[ -n "$filter" ] && cmd+=("--benchmark_filter=$filter")
[ -n "$min_time" ] && cmd+=("--benchmark_min_time=$min_time")
cmd+=("$@")
mkdir -p "$(dirname "$json")"
echo "[bench] ${cmd[*]}" >&2
"${cmd[@]}"
# The oneDNN anchors again, each time in a new process: those of the filtered set.
extra=()
for ((k = 2; k <= procs; k++)); do
  out="${json%.json}.anchors$k.json"
  echo "[bench] oneDNN anchors, process $k of $procs" >&2
  rm -f "$out"
  "$build/bench/hact_bench" "--benchmark_repetitions=$reps" --benchmark_report_aggregates_only=true \
    --benchmark_enable_random_interleaving=true "--benchmark_filter=^onednn/${filter:+.*($filter)}" \
    ${min_time:+"--benchmark_min_time=$min_time"} "--benchmark_out=$out" --benchmark_out_format=json "$@" > /dev/null
  [ -s "$out" ] && extra+=("$out")  # empty where the filter selects no oneDNN anchor
done
"$venv/bin/python" "$repo/scripts/perf_table.py" "$json" -o "$md" \
  --command "$(printf '%q ' scripts/bench.sh "${orig_args[@]}" | sed 's/ $//')" \
  ${extra[@]+--anchor-runs "${extra[@]}"}
