// Schedules, apart from the math. The generators (generators/) define what every kernel computes
// from one of two shapes, and call these entry points from schedule(); each target family has
// one file (x86.cpp, later arm.cpp and cuda.cpp), picked by the target in schedules.cpp.
#pragma once

#include <vector>

#include "Halide.h"
#include "kernel_abi.h"  // HACT_NUM_PARAMS

namespace hact::schedules {

// out(i) = f(inputs(i)), i in [0, extent): forward and backward kernels. cases: conditions on
// scalar parameters that get a loop of their own (OpMath::specializations).
void elementwise(const Halide::Target &target, Halide::Func out, const Halide::Expr &extent,
                 const std::vector<Halide::Expr> &cases);

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

// row_sum(r) += term(ri, r) over ri: one sum per row (per-channel weight gradients).
void row_reduction(const Halide::Target &target, Halide::Func row_sum, const Halide::RDom &ri);

// One implementation per target family.
namespace x86 {
void elementwise(const Halide::Target &target, Halide::Func out, const Halide::Expr &extent,
                 const std::vector<Halide::Expr> &cases);
void lane_reduction(const Halide::Target &target, Halide::Func partial, const Halide::RDom &r,
                    int num_params, const std::vector<Halide::Expr> &cases);
void row_reduction(const Halide::Target &target, Halide::Func row_sum, const Halide::RDom &ri);
}  // namespace x86
namespace cuda {
void elementwise(const Halide::Target &target, Halide::Func out, const Halide::Expr &extent,
                 const std::vector<Halide::Expr> &cases);
void block_reduction(const Halide::Target &target, Halide::Func partial, const Halide::RDom &ri,
                     Halide::Func total, const Halide::RDom &rb, Halide::Func grad,
                     const std::vector<Halide::Expr> &cases);
}  // namespace cuda

}  // namespace hact::schedules
