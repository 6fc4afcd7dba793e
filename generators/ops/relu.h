// relu(x) = max(x, 0); relu'(x) = 1 if x > 0 else 0 (relu'(0) = 0, the spec's kink convention).
// Exact: the result is x, 0 or dy, dy*0, never a rounded value (kernel_abi.h HACT_EXACT_OPS).
#pragma once

namespace hact::ops {

struct relu : OpBase {
    // x unless x < 0: relu(-0) = -0, as PyTorch's max(x, 0) keeps x on a tie; relu(-inf) = +0;
    // a NaN x is not below 0 and comes back as itself (no keep_nan needed: the comparison is
    // strict). Strict: with fast-math's no-signed-zeros and no-NaNs, LLVM may turn the select into
    // a max instruction whose operand order then decides the sign of zero and the NaN.
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        return strict_apply({x}, [](auto v) { return Halide::select(v[0] < like(v[0], 0.0), like(v[0], 0.0), v[0]); });
    }
    // dy where x > 0, else dy*0 (strict: a NaN dy stays NaN).
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        Expr dx = strict_apply({x, dy}, [](auto v) {
            return Halide::select(v[0] > like(v[0], 0.0), v[1], v[1] * like(v[1], 0.0));
        });
        return keep_nan(x, dx);
    }

    // float64: the math above is exact and type-generic (comparisons, selects, exact constants).
    static Expr forward64(const Expr &x, const Params &p) { return forward(x, p); }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) { return backward(x, dy, p); }
};

}  // namespace hact::ops
