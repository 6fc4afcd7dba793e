// prelu(x) = x if x > 0 else w*x, w = the weight (one scalar here, hact_params.negative_slope,
// PyTorch's default 0.25; per channel through hact_prelu_*, the same math with w = weight[c]);
// prelu'(x) = 1 if x > 0 else w; dL/dw = sum over x <= 0 of dy*x (the spec's kink: x = 0
// contributes dy*0 = 0).
// The value and input gradient are leaky_relu's (same rounding, signed zeros and limits).
#pragma once

#include "leaky_relu.h"

namespace hact::ops {

struct prelu : leaky_relu {
    // dy * x where x <= 0, else 0, in float64: exact there (24 + 24 bits), where a float32
    // product of two large values would overflow to inf and an inf - inf sum give NaN. Strict, so
    // a NaN x, or a NaN dy where x <= 0, gives NaN (a NaN x fails x > 0 and stays in the product). Both factors are
    // zeroed on x's lanes (one compare in x's type), then multiplied: the same terms as
    // select(x > 0, 0, dy x) in float64, with fewer float64 operations per element. 0 at x = 0,
    // dy = 0 (the runtime's zero padding).
    static std::vector<Expr> param_grads(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        return {strict_apply({x, dy}, [](auto v) {
            Expr positive = v[0] > like(v[0], 0.0);
            Expr xs = Halide::select(positive, like(v[0], 0.0), v[0]);
            Expr dys = Halide::select(positive, like(v[1], 0.0), v[1]);
            return Halide::cast<double>(xs) * Halide::cast<double>(dys);
        })};
    }
    // The same terms from a float32 product, rounded once (exact for bf16 and f16 inputs: their
    // products fit in 24 bits): two conversions per vector of 16 instead of four, and one float32
    // multiply for two float64 ones. The rounding, 2^-24 of each term, is within the weight
    // gradient's tolerance (8 2^-24 sum|terms|, tests/common/hact_test.h). Where |x dy| passes
    // 3.4e38 the product is inf and the sum is not finite: the kernel then sums again with
    // param_grads (runtime/prelu.c), so no result differs in meaning from the float64 terms'.
    static std::vector<Expr> param_grads_fast(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        return {Halide::cast<double>(strict_apply({x, dy}, [](auto v) {
            return Halide::select(v[0] > like(v[0], 0.0), like(v[0], 0.0), v[0] * v[1]);
        }))};
    }
    static std::vector<Expr> param_grads64(const Expr &x, const Expr &dy, const Params &p) {
        return param_grads(x, dy, p);
    }
};

}  // namespace hact::ops
