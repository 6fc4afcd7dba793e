// AArch64 NEON (ARMv8.0-A, and ARMv8.2-A with FP16/dot product): the numbers of the CPU loop
// structure (cpu.cpp). Vectors are 128 bits (4 float32) on every core, with 32 registers.
#include "schedules.h"

namespace hact::schedules::arm {

const cpu::Tuning tuning = {
    // As on x86 (x86.cpp): cores are slower per element, so the pool would pay off a little
    // earlier; the same numbers keep the thread behaviour of the two families alike.
    .parallel_min_work = 1 << 20,
    .task_work = 1 << 19,
    .min_task_elements = 1 << 14,
    .max_task_elements = 1 << 16,
    // Four 128-bit vectors per iteration (16 float32): the same elements in flight per loop as
    // AVX2's two 256-bit registers, within the 32 NEON registers the exp/divide chains need.
    .registers_per_iteration = 4,
    // One vector of the four always: unrolled natural-width vectors (as x86's short math) made the
    // longer f32 loops longer under LLVM's AArch64 scheduling (mish backward 411 -> 612
    // instructions, gelu backward 453 -> 601), and nothing can be timed here.
    .unroll_below_nodes = 0,
    .reduction_task_vectors = 1 << 10,
    // No software prefetch: not measured on ARM hardware (the NEON builds run under qemu).
    .prefetch_bytes = 0,
    .prefetch_min_nodes_per_input = 0,
};

}  // namespace hact::schedules::arm
