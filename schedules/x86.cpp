// x86-64 (baseline SSE2, AVX2+FMA, AVX-512): the numbers of the CPU loop structure (cpu.cpp); the
// vector width comes from the target.
#include "schedules.h"

namespace hact::schedules::x86 {

const cpu::Tuning tuning = {
    // Calls below this much work (elements x IR nodes per element) run on the calling thread:
    // waking the pool costs more than the work. Measured on 2 AVX-512 cores at 32K elements:
    // relu (8 nodes) 2.4 us serial, 3.1 us on the pool; silu (40) 9.5 us serial, 6.7 us on the
    // pool; gelu (101) 32.5 and 17.3 us. 1M: silu, sigmoid, tanh, gelu go parallel from 32K
    // elements (two minimal tasks), hardswish (13) from 80K, relu from 128K.
    .parallel_min_work = 1 << 20,
    // Tasks of 512K work, 16K to 64K elements: relu, hardswish and the other cheap ops get 40-64K
    // (16K-element tasks held relu at 0.87x oneDNN on 1M elements, 64K at 0.97x); silu, tanh,
    // gelu 16K (shorter tasks, 4-5K elements for gelu, ran celu and softplus 1.5-2x slower:
    // the pool's cost per task).
    .task_work = 1 << 19,
    .min_task_elements = 1 << 14,
    .max_task_elements = 1 << 16,
    // Vectors per loop iteration: two registers keep more of the ~60-cycle dependency chain of
    // the exp/divide in flight (measured 4-7% on Zen 5 for silu; shared/notes/silu-numerics.md).
    // AVX2 and SSE have 16 vector registers, AVX-512 32: more would spill on the first two.
    .registers_per_iteration = 2,
    // Reduction: lane-vectors summed serially per parallel task.
    .reduction_task_vectors = 1 << 10,
};

}  // namespace hact::schedules::x86
