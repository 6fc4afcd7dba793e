// hardtanh(x) = min(max(x, lo), hi), lo = min_val (-1), hi = max_val (1);
// hardtanh'(x) = 1 if lo < x < hi else 0 (0 at both bounds, the spec's kink convention).
// relu6 is hardtanh with lo = 0, hi = 6. Exact: the result is x, lo, hi or dy, dy*0.
#pragma once

namespace hact::ops {

struct hardtanh : OpBase {
    // In the spec's (and PyTorch's) order, max first, each keeping x on a tie: hardtanh(-0) with
    // lo = 0 is -0 (relu6(-0) = -0, as PyTorch's clamp). lo > hi gives hi everywhere, as the
    // formula does (PyTorch's functional API rejects lo > hi; hact's parameter checks do not).
    // Strict: under fast-math's no-signed-zeros LLVM may turn the selects into min/max
    // instructions whose operand order decides the sign of a tied zero.
    // +-inf reach lo and hi through the comparisons.
    static Expr forward_with(const Expr &x, const Expr &lo, const Expr &hi) {
        using namespace num;
        Expr y = strict_apply({x, lo, hi}, [](auto v) {
            Expr m = Halide::select(v[0] < v[1], v[1], v[0]);  // max(x, lo)
            return Halide::select(m > v[2], v[2], m);           // min(m, hi)
        });
        return keep_nan(x, y);
    }
    static Expr backward_with(const Expr &x, const Expr &dy, const Expr &lo, const Expr &hi) {
        using namespace num;
        Expr dx = strict_apply({x, dy, lo, hi}, [](auto v) {
            return Halide::select(v[0] > v[2] && v[0] < v[3], v[1], v[1] * like(v[1], 0.0));
        });
        return keep_nan(x, dx);
    }

    static Expr forward(const Expr &x, const Params &p) { return forward_with(x, p.min_val, p.max_val); }
    static Expr backward(const Expr &x, const Expr &dy, const Params &p) {
        return backward_with(x, dy, p.min_val, p.max_val);
    }

    // float64: the math above is exact and type-generic (comparisons, selects, exact constants).
    static Expr forward64(const Expr &x, const Params &p) { return forward(x, p); }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) { return backward(x, dy, p); }
};

}  // namespace hact::ops
