// selu(x) = lambda elu(x, alpha) with PyTorch's fixed constants (no parameters):
//   lambda = 1.0507009873554804934193349852946, alpha = 1.6732632423543772848170429916717;
// selu'(x) = lambda if x > 0 else lambda alpha e^x (lambda alpha at 0: elu's kink convention).
// lambda and lambda alpha are not float32 numbers (float32 lambda is off by 0.56 of 2^-24): each
// is applied as an unevaluated sum hi + lo (num::split_constant), so lambda x and
// lambda alpha expm1(x) round once. The rest is elu's math (ops/elu.h); selu(-0) = -0.
#pragma once

#include "elu.h"

namespace hact::ops {

struct selu : OpBase {
    static constexpr double kLambda = 1.0507009873554804934193349852946;
    static constexpr double kLambdaAlpha = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717;

    static Expr forward(const Expr &x, const Params &) {
        return elu::forward_with(x, num::split_constant(kLambda), num::split_constant(kLambdaAlpha));
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        return elu::backward_with(x, dy, num::split_constant(kLambda), num::split_constant(kLambdaAlpha));
    }
    static Expr forward64(const Expr &x, const Params &) {
        return elu::forward64_with(x, f64::c(kLambda), f64::c(kLambdaAlpha));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &) {
        return elu::backward64_with(x, dy, f64::c(kLambda), f64::c(kLambdaAlpha));
    }
};

}  // namespace hact::ops
