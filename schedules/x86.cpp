// x86-64 (baseline SSE2, AVX2+FMA, AVX-512): the numbers of the CPU loop structure (cpu.cpp); the
// vector width comes from the target.
#include "schedules.h"

namespace hact::schedules::x86 {

const cpu::Tuning tuning = {
    // Calls below this much work (elements x IR nodes per element) run on the calling thread:
    // waking the pool costs more than the work. Measured on 2 AVX-512 cores at 32K elements:
    // relu (8 nodes) 2.4 us serial, 3.1 us on the pool; silu (40) 9.5 us serial, 6.7 us on the
    // pool; gelu (101) 32.5 and 17.3 us. 1M: silu, sigmoid, tanh, gelu go parallel from 32K
    // elements (two tasks), hardswish (13) from 80K, relu from 131K.
    .parallel_min_work = 1 << 20,
    .parallel_min_elements = 1 << 15,
    // Elements per parallel task: large enough to amortise scheduling, small enough to balance.
    .task_elements = 1 << 14,
    // Vectors per loop iteration: two registers keep more of the ~60-cycle dependency chain of
    // the exp/divide in flight (measured 4-7% on Zen 5 for silu; shared/notes/silu-numerics.md).
    // AVX2 and SSE have 16 vector registers, AVX-512 32: more would spill on the first two.
    .registers_per_iteration = 2,
    // Reduction: lane-vectors summed serially per parallel task.
    .reduction_task_vectors = 1 << 10,
};

}  // namespace hact::schedules::x86
