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
    // a NaN dy or x gives NaN. 0 at x = 0, dy = 0 (the runtime's zero padding).
    static std::vector<Expr> param_grads(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        Expr t = strict_apply({Halide::cast<double>(x), Halide::cast<double>(dy)}, [](auto v) {
            return Halide::select(v[0] > Expr(0.0), Expr(0.0), v[1] * v[0]);
        });
        return {keep_nan(Halide::cast<double>(x), t)};
    }
    static std::vector<Expr> param_grads64(const Expr &x, const Expr &dy, const Params &p) {
        return param_grads(x, dy, p);
    }
};

}  // namespace hact::ops
