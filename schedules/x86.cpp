// x86-64 (baseline SSE2, AVX2+FMA, AVX-512): the numbers of the CPU loop structure (cpu.cpp); the
// vector width comes from the target.
#include "schedules.h"

namespace hact::schedules::x86 {

const cpu::Tuning tuning = {
    // Calls below this much work (elements x IR nodes per element) run on the calling thread.
    // With hact's pool (runtime/pool.c: spinning workers, ~0.3 us per call) every op gains from
    // two threads at 32K elements (HACT_POOL_MIN_ELEMENTS, the floor): measured on 2 AVX-512
    // cores, relu (6 nodes) 2.56 us on the calling thread, 1.66 us on two; hardswish 3.81 and
    // 2.60 us. (On Halide's pool, ~1.9 us per call, relu lost there: 2.4 and 3.1 us.)
    .parallel_min_work = 1 << 17,
    // Tasks of 512K work, 16K to 64K elements: relu, hardswish and the other cheap ops get 40-64K,
    // silu, tanh, gelu 16K; a call of fewer than 8 such tasks gets shorter ones (down to 16K,
    // cpu.cpp), so that 32K elements still make two. Each thread runs a contiguous range of the
    // tasks (pool.c), so their number costs little beyond a call per task.
    .task_work = 1 << 19,
    .min_task_elements = 1 << 14,
    .max_task_elements = 1 << 16,
    // Vectors per loop iteration: two registers keep more of the ~60-cycle dependency chain of
    // the exp/divide in flight (measured 4-7% on Zen 5 for silu; shared/notes/silu-numerics.md).
    // AVX2 and SSE have 16 vector registers, AVX-512 32: more would spill on the first two.
    // Four for the long kernels (50 IR nodes per value and more) was measured and reverted (Intel
    // Xeon VM, avx512, 1 thread): in cache gelu_tanh backward 1.11-1.16x, mish and silu backward
    // 1.07-1.08x, but at 2^25 elements with the prefetch below gelu forward 0.79x, backward 0.87x,
    // gelu_tanh backward 0.84x.
    .registers_per_iteration = 2,
    // Math of fewer IR nodes than this (the relu family, hardsigmoid, hardswish, softsign's
    // forward: 4-25; silu's forward is 38) as unrolled natural-width vectors without AVX-512
    // (cpu.cpp; stop 27, AMD EPYC Zen 4).
    .unroll_below_nodes = 32,
    // Reduction: lane-vectors summed serially per parallel task.
    .reduction_task_vectors = 1 << 10,
    // Software prefetch 2 KiB ahead in every input of loops with 20 or more IR nodes per input
    // stream (cpu.cpp, "software prefetch"): 2^25-element calls of silu 1.3x, gelu 1.25-1.4x,
    // their bf16 forms 1.5-2x faster on 4 KiB pages; relu (8 nodes per input), hardswish (15)
    // and the other cheap ops keep their loops as they were.
    .prefetch_bytes = 2048,
    .prefetch_min_nodes_per_input = 20,
};

}  // namespace hact::schedules::x86
