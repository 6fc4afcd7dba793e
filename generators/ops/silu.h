// silu(x) = x * sigma(x): swish with beta = 1 and scale = 1, nothing learnable.
#pragma once

#include "swish.h"

namespace hact::ops {

struct silu : OpBase {
    static Expr forward(const Expr &x, const Params &) {
        return swish::forward_with(x, num::f32(1.0f), num::f32(1.0f));
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        return swish::backward_with(x, dy, num::f32(1.0f), num::f32(1.0f));
    }
    static Expr forward64(const Expr &x, const Params &) {
        return swish::forward64_with(x, f64::c(1.0), f64::c(1.0));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &) {
        return swish::backward64_with(x, dy, f64::c(1.0), f64::c(1.0));
    }
};

}  // namespace hact::ops
