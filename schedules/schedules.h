// Schedules, apart from the math. The generators (generators/) define what every kernel computes
// from one of two shapes, and call these entry points from schedule(); each target family has
// one file (x86.cpp, arm.cpp: numbers for the shared CPU structure in cpu.cpp; cuda.cpp), picked by the target in schedules.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "Halide.h"
#include "kernel_abi.h"  // HACT_NUM_PARAMS

namespace hact::schedules {

// How the math fills vectors, for elementwise: values_per_element, how many evaluations of the
// math one element of out holds (2 for bf16 in pairs); lane_bits, the width of the math's lanes
// (32: float32 math; 16: math on 16-bit storage bits, twice the lanes per vector). A loop
// iteration keeps the same number of vectors of math in flight.
struct Lanes {
    int values_per_element = 1;
    int lane_bits = 32;
};

// out(i) = f(inputs(i)), i in [0, extent): forward and backward kernels. cases: conditions on
// scalar parameters that get a loop of their own (OpMath::specializations).
void elementwise(const Halide::Target &target, Halide::Func out, const Halide::Expr &extent,
                 const std::vector<Halide::Expr> &cases, Lanes lanes = {});

// partial(lane, j) = 0; partial(lane, j) += term_j(r * LANES + lane) over r: parameter gradients.
// num_params is the extent of j (known when generating).
void lane_reduction(const Halide::Target &target, Halide::Func partial, const Halide::RDom &r,
                    int num_params, const std::vector<Halide::Expr> &cases);

// partial(k, b) += term_k(b B + ri) over ri (B = HACT_DEVICE_REDUCE_BLOCK), total(k) +=
// partial(k, rb) over rb, grad(k) = f(total(k)): parameter gradients finished on a device
// (k in [0, HACT_NUM_PARAMS)).
void block_reduction(const Halide::Target &target, Halide::Func partial, const Halide::RDom &ri,
                     Halide::Func total, const Halide::RDom &rb, Halide::Func grad,
                     const std::vector<Halide::Expr> &cases);

// partial(c, b) += term over ri (block b of channel c); total(c) += partial(c, rb); out(c) from
// total(c): a sum per channel on a device (the per-channel weight gradient).
void channel_reduction(const Halide::Target &target, Halide::Func partial, const Halide::RDom &ri,
                       Halide::Func total, const Halide::RDom &rb, Halide::Func out);

// row_sum(r) += lanes(rl, r) over the kRowLanes lanes, lanes(lane, r) the lane sums of row r
// (update 0: over whole lane-vectors, update 1: the row's last terms; generators'
// define_row_sums): one sum per row (per-channel weight gradients) of row_length elements.
// cases: as elementwise's, conditions on scalar inputs that get a loop of their own.
void row_reduction(const Halide::Target &target, Halide::Func row_sum, Halide::Func lanes,
                   const Halide::Expr &row_length, const std::vector<Halide::Expr> &cases);

// row_reduction, and out(i, r) (elementwise over the same rows) computed with it row by row:
// each row is summed and then read again for out while it is in L1 (per-channel backward with
// the weight gradient, one pass).
void row_reduction_with(const Halide::Target &target, Halide::Func row_sum, Halide::Func lanes, Halide::Func out);

// col_sum(i) += term(i, rr) over rr: one sum per column of a 2-D input (per-channel weight
// gradients of short rows, the weights laid out along the row).
void column_reduction(const Halide::Target &target, Halide::Func col_sum, const Halide::RDom &rr,
                      const std::vector<Halide::Expr> &cases);

// Passes over a kernel's lowered code, after Halide's own, that the target family wants (every
// generator adds them to its pipeline): the CPU families' software prefetch.
void add_lowering_passes(const Halide::Target &target, Halide::Pipeline pipeline);
// The CPU loop structure (cpu.cpp), shared by the CPU families; each family's file gives its numbers.
namespace cpu {
struct Tuning {
    // Parallel grain, in work = elements x IR nodes of the kernel's math per element
    // (cpu::arithmetic_nodes): a call uses the thread pool from parallel_min_work (and two tasks);
    // a task holds task_work, within [min, max]_task_elements. Smaller calls run on the calling
    // thread.
    int64_t parallel_min_work;
    int64_t task_work;
    int min_task_elements, max_task_elements;
    int registers_per_iteration;  // vectors of the natural width per loop iteration
    int unroll_below_nodes;       // short math (fewer IR nodes): those as unrolled natural-width vectors
    int reduction_task_vectors;   // lane-vectors per parallel task of a parameter-gradient sum
    int prefetch_bytes;           // software prefetch this far ahead in each input stream (0: none),
    int prefetch_min_nodes_per_input;  // in loops with at least this much math per input stream
};
void elementwise(const Halide::Target &target, const Tuning &tuning, Halide::Func out,
                 const Halide::Expr &extent, const std::vector<Halide::Expr> &cases, Lanes lanes);
void lane_reduction(const Halide::Target &target, const Tuning &tuning, Halide::Func partial,
                    const Halide::RDom &r, int num_params, const std::vector<Halide::Expr> &cases);
void row_reduction(const Halide::Target &target, const Tuning &tuning, Halide::Func row_sum, Halide::Func lanes,
                   const Halide::Expr &row_length, const std::vector<Halide::Expr> &cases);
void row_reduction_with(const Halide::Target &target, const Tuning &tuning, Halide::Func row_sum,
                        Halide::Func lanes, Halide::Func out);
void column_reduction(const Halide::Target &target, const Tuning &tuning, Halide::Func col_sum,
                      const Halide::RDom &rr, const std::vector<Halide::Expr> &cases);
int arithmetic_nodes(const Halide::Func &f);
// The software prefetch of every innermost loop (tuning.prefetch_bytes ahead), as a pass over the
// lowered code: Halide's prefetch directive cannot say it (cpu.cpp).
void add_prefetch(const Tuning &tuning, Halide::Pipeline pipeline);
}  // namespace cpu
namespace x86 {
extern const cpu::Tuning tuning;
}
namespace arm {
extern const cpu::Tuning tuning;
}
namespace cuda {
void elementwise(const Halide::Target &target, Halide::Func out, const Halide::Expr &extent,
                 const std::vector<Halide::Expr> &cases);
void block_reduction(const Halide::Target &target, Halide::Func partial, const Halide::RDom &ri,
                     Halide::Func total, const Halide::RDom &rb, Halide::Func grad,
                     const std::vector<Halide::Expr> &cases);
void channel_reduction(const Halide::Target &target, Halide::Func partial, const Halide::RDom &ri,
                       Halide::Func total, const Halide::RDom &rb, Halide::Func out);
}  // namespace cuda

}  // namespace hact::schedules
