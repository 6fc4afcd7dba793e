// elu(x) = x if x > 0 else alpha (e^x - 1);  elu'(x) = 1 if x > 0 else alpha e^x
// (elu'(0) = alpha: the spec's kink convention, PyTorch's x <= 0 branch). selu is
// lambda elu(x, alpha_selu) and shares this math (negative_side / positive_side as split scalars).
//
// Forward: alpha expm1(x) from num::exp_parts / expm1_parts (2^n u + (2^n - 1), one rounding: no
// cancellation near 0-); x is clamped to [-30, 0] inside the exponential (expm1(-30) rounds to -1,
// and elu(-inf) = -alpha). Backward: dy alpha e^x with e^x kept scaled by 2^96 below x = -40 and
// the product rounded once at the end, so elu'(-100) = 3.7e-44 is the subnormal it should be
// (clamped at x = -150, where every product has rounded to 0; elu'(-inf) = 0, NaN dy stays NaN).
// Choices where the spec is silent (PyTorch's): elu(-0) = alpha * expm1(-0) = -0 for alpha > 0
// (the sign of zero follows alpha * x), elu(+0) = +0 * alpha; any finite alpha, including 0 and
// negative values, by the same formula.
#pragma once

namespace hact::ops {

struct elu : OpBase {
    // y = pos x (x > 0), neg expm1(x) (x <= 0), pos and neg as split scalars (one rounding each).
    static Expr forward_with(const Expr &x, const num::SplitScalar &pos, const num::SplitScalar &neg) {
        using namespace num;
        const Expr xn = Halide::min(x, f32(0.0f));
        const ScaledValue m = expm1_parts(exp_parts(split_exact(f32(1.0f)), xn, -30.0f, 0.0f));
        // expm1 at x = +-0 is x itself (the parts give +0 for -0); strict: fast-math may ignore
        // the sign of zero in a select.
        const Expr em1 = strict_apply({x, m.v}, [](auto v) { return Halide::select(v[0] < f32(0.0f), v[1], v[0]); });
        const Expr y = strict_apply({x, mul_split(pos, x), mul_split(neg, em1)},
                                    [](auto v) { return Halide::select(v[0] > f32(0.0f), v[1], v[2]); });
        return keep_nan(x, y);
    }
    // dx = dy pos (x > 0), (dy neg e^x) rounded once, e^x = e sc (x <= 0).
    static Expr backward_with(const Expr &x, const Expr &dy, const num::SplitScalar &pos,
                              const num::SplitScalar &neg) {
        using namespace num;
        const Expr xn = Halide::min(x, f32(0.0f));
        const ExpParts p = exp_parts(split_exact(f32(1.0f)), xn, -kTwoSidedMax, 0.0f);
        const Expr dx = strict_apply({x, mul_split(pos, dy), mul_split(neg, dy), p.e, p.sc}, [](auto v) {
            return Halide::select(v[0] > f32(0.0f), v[1], (v[2] * v[3]) * v[4]);
        });
        return keep_nan(x, dx);
    }

    static Expr forward(const Expr &x, const Params &p) {
        return forward_with(x, num::split_exact(num::f32(1.0f)), num::split_exact(p.alpha));
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &p) {
        return backward_with(x, dy, num::split_exact(num::f32(1.0f)), num::split_exact(p.alpha));
    }

    // float64: pos x (x > 0), neg expm1(x) (x <= 0; -0 stays -0: expm1(-0) = -0, and the
    // argument is x itself there, not min(x, 0), which may be +0); dy pos, or (dy neg) e^x as
    // one rounded chain (f64::Chain), e^x scaled in its tail (f64::exp_tail).
    // pos and neg are doubles (selu's constants rounded once to double).
    static Expr forward64_with(const Expr &x, const Expr &pos, const Expr &neg) {
        using namespace f64;
        Expr y = Halide::select(x > c(0.0), pos * x, neg * f64::lib_expm1(Halide::select(x > c(0.0), c(0.0), x)));
        return keep_nan(x, strict(y));
    }
    static Expr backward64_with(const Expr &x, const Expr &dy, const Expr &pos, const Expr &neg) {
        using namespace f64;
        TailExp e = exp_tail({Halide::min(x, c(0.0)), c(0.0)});  // scaled below -600: subnormal e^x
        Expr dx = Halide::select(x > c(0.0), dy * pos, finish(with_rel(chain(dy) * neg * e.e0, e.lo)) * e.unscale);
        return keep_nan(x, strict(dx));
    }
    static Expr forward64(const Expr &x, const Params &p) { return forward64_with(x, f64::c(1.0), p.alpha); }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) {
        return backward64_with(x, dy, f64::c(1.0), p.alpha);
    }
};

}  // namespace hact::ops
