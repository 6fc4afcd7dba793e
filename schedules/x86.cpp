// x86-64 (baseline SSE2, AVX2+FMA, AVX-512): the numbers of the CPU loop structure (cpu.cpp); the
// vector width comes from the target.
#include "schedules.h"

namespace hact::schedules::x86 {

const cpu::Tuning tuning = {
    // Below this many elements a call runs on the calling thread: waking the pool costs more
    // than the work (a few microseconds; 64K float32 silu take ~8 us on one AVX-512 core).
    .parallel_min_elements = 1 << 16,
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
