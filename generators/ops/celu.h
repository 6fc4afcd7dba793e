// celu(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1));  celu'(x) = 1 if x > 0 else e^(x/alpha)
// (celu'(0) = e^0 = 1: celu is C1 at 0 for every alpha; PyTorch's x <= 0 branch).
//
// t = x / alpha is never rounded: 1/alpha is a per-call unevaluated sum hi + lo
// (num::split_reciprocal) that num::exp_parts multiplies into its range reduction, so
// e^(x/alpha) keeps its accuracy where |t| is large (a rounded x / alpha would cost |t| 2^-24 of
// relative error: 60 ULP at t = -80 for alpha = 1.5). Forward: alpha expm1(t) (expm1_parts, no
// cancellation near 0-); backward: dy e^t rounded once after the scaled exponential (subnormal
// results down to t = -103, as elu).
// Choices where the spec is silent:
// - alpha < 0 (PyTorch accepts it): the same formula; there t = x/alpha > 0 for x < 0, and
//   alpha expm1(t) and e^t grow until they round to -inf / +-inf (exp_parts' upper scaling keeps
//   the results that are still finite, e.g. alpha = -0.5 at t = 89).
// - alpha = 0 and subnormal alphas (|alpha| < FLT_MIN, where 1/alpha is huge or not a float;
//   PyTorch raises an error for 0): the limit alpha -> 0+, celu = relu with f'(x) = 0 for x < 0,
//   1 for x >= 0 (e^(x/alpha) at x = 0 is 1 for every alpha).
// - celu(+-0) = +-0 (alpha expm1(+-0 / alpha) for any alpha).
#pragma once

#include <limits>

namespace hact::ops {

struct celu : OpBase {
    // 1/alpha is a normal float for |alpha| >= FLT_MIN: the formula; below (0 and subnormal
    // alpha) the alpha -> 0+ limit. A plain comparison, so that it folds under alpha == 1.
    static Expr regular(const Params &p) {
        return Halide::abs(p.alpha) >= num::f32(std::numeric_limits<float>::min());
    }
    static Expr is_default(const Params &p) { return p.alpha == num::f32(1.0f); }

    // alpha expm1(x c) for x < 0, c = 1/alpha (split; exact for alpha = 1), x for x >= 0.
    // t_max: 0 where alpha > 0 is known, else kTwoSidedMax (t = x/alpha > 0 only for alpha < 0).
    static Expr forward_with(const Expr &x, const Expr &alpha, const num::SplitScalar &c, float t_max) {
        using namespace num;
        const Expr xn = Halide::min(x, f32(0.0f));
        // t >= -30: expm1(-30) = -1 in float32.
        const ScaledValue m = expm1_parts(exp_parts(c, xn, -30.0f, t_max));
        // (alpha v) sc rounds once: sc = 2^96 only where alpha < 0 and t > 40.
        return strict_apply({x, alpha, m.v, m.sc}, [](auto v) {
            return Halide::select(v[0] >= f32(0.0f), v[0], (v[1] * v[2]) * v[3]);
        });
    }
    // dy for x > 0, (dy e^(x c)) rounded once for x <= 0.
    static Expr backward_with(const Expr &x, const Expr &dy, const num::SplitScalar &c, float t_max) {
        using namespace num;
        const Expr xn = Halide::min(x, f32(0.0f));
        const ExpParts e = exp_parts(c, xn, -kTwoSidedMax, t_max);
        return strict_apply({x, dy, e.e, e.sc}, [](auto v) {
            return Halide::select(v[0] > f32(0.0f), v[1], (v[1] * v[2]) * v[3]);
        });
    }

    // PyTorch's alpha = 1 is generated with the constant (1/alpha = 1 exactly: elu's math), other
    // regular alphas with the split reciprocal; the schedule gives each condition a loop of its
    // own (specializations), where these selects disappear.
    static Expr forward(const Expr &x, const Params &p) {
        using namespace num;
        // The limit: -0 for x < 0 (x raised to -1 first: -inf gives -0, not NaN), x for x >= 0.
        const Expr limit = strict_apply({x}, [](auto v) {
            return Halide::select(v[0] >= f32(0.0f), v[0], Halide::max(v[0], f32(-1.0f)) * f32(0.0f));
        });
        const Expr y = Halide::select(
            is_default(p), forward_with(x, f32(1.0f), split_exact(f32(1.0f)), 0.0f),
            regular(p), forward_with(x, p.alpha, split_reciprocal(p.alpha), kTwoSidedMax), limit);
        return keep_nan(x, y);
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &p) {
        using namespace num;
        // The limit: dy for x >= 0, dy * 0 below (strict: a NaN dy stays NaN).
        const Expr limit = strict_apply({x, dy}, [](auto v) {
            return Halide::select(v[0] >= f32(0.0f), v[1], v[1] * f32(0.0f));
        });
        const Expr dx = Halide::select(
            is_default(p), backward_with(x, dy, split_exact(f32(1.0f)), 0.0f),
            regular(p), backward_with(x, dy, split_reciprocal(p.alpha), kTwoSidedMax), limit);
        return keep_nan(x, dx);
    }
    static std::vector<Expr> specializations(const Params &p) { return {is_default(p), regular(p)}; }

    // float64: t = x / alpha rounded, its residual put back (r = x - t alpha exactly, by fma):
    // e^(x/alpha) = e^t (1 + r/alpha), expm1(x/alpha) = expm1(t) + e^t r/alpha, so large |t|
    // keeps its relative accuracy. The same limit as float32 for irregular alpha.
    static Expr forward64(const Expr &x, const Params &p) {
        using namespace f64;
        Expr xn = Halide::min(x, c(0.0));
        Expr t = xn / p.alpha;
        Expr delta = f64::fma64(-t, p.alpha, xn) / p.alpha;
        Expr e = f64::lib_exp(t), em1 = f64::lib_expm1(t);
        Expr m = Halide::select(Halide::is_finite(e) && Halide::is_finite(delta), f64::fma64(e, delta, em1), em1);
        Expr limit = Halide::select(x >= c(0.0), x, Halide::max(x, c(-1.0)) * c(0.0));
        Expr y = Halide::select(regular(p), Halide::select(x >= c(0.0), x, p.alpha * m), limit);
        return keep_nan(x, strict(y));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) {
        using namespace f64;
        Expr xn = Halide::min(x, c(0.0));
        Expr t = xn / p.alpha;
        Expr delta = f64::fma64(-t, p.alpha, xn) / p.alpha;
        TailExp et = exp_tail({t, finite_or_zero(delta)});  // alpha > 0: scaled below t = -600
        // alpha < 0 and x/alpha > 700: e^t overflows where dy e^t need not (and 0 * inf = NaN
        // where float32 gives dy * e^t = 0 for dy = 0): (dy h) h with h = e^(t/2), t held finite.
        Expr h = f64::lib_exp(Halide::min(t, c(1400.0)) * c(0.5));
        Expr dye = Halide::select(t > c(700.0), (dy * h) * h, (dy * et.es) * et.unscale);
        Expr limit = Halide::select(x >= c(0.0), dy, dy * c(0.0));
        Expr dx = Halide::select(regular(p), Halide::select(x > c(0.0), dy, dye), limit);
        return keep_nan(x, strict(dx));
    }
};

}  // namespace hact::ops
