// relu6(x) = min(max(x, 0), 6): hardtanh with lo = 0, hi = 6 (as in PyTorch), nothing read from
// the parameters. relu6'(x) = 1 if 0 < x < 6 else 0 (0 at 0 and at 6). relu6(-0) = -0.
// Exact: x, +-0, 6, dy or dy * 0 (kernel_abi.h HACT_EXACT_OPS).
#pragma once

#include "hardtanh.h"

namespace hact::ops {

struct relu6 : OpBase {
    static Expr forward(const Expr &x, const Params &) {
        return hardtanh::forward_with(x, num::f32(0.0f), num::f32(6.0f));
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        return hardtanh::backward_with(x, dy, num::f32(0.0f), num::f32(6.0f));
    }

    static Expr forward64(const Expr &x, const Params &) {
        return hardtanh::forward_with(x, f64::c(0.0), f64::c(6.0));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &) {
        return hardtanh::backward_with(x, dy, f64::c(0.0), f64::c(6.0));
    }
};

}  // namespace hact::ops
