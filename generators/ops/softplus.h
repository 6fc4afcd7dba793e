// softplus(x) = (1/beta) log(1 + e^(beta x)), and x where beta x > threshold;
// softplus'(x) = sigma(beta x), and 1 where beta x > threshold.
//
// Forward, with z = beta x: softplus = (max(z, 0) + log(1 + e^-|z|)) / beta, i.e.
//   x + L / beta (z > 0)  or  L / beta (z <= 0),   L = log(1 + e^t), t = -|beta| |x| <= 0,
// no exponential that can overflow and no cancellation: e^t from num::exp_parts (c = -|beta|
// times |x|: the product is not rounded), L from num::log1p_exp_parts (w + w^2 g(w) with FMA, a
// range-reduced log1p without); L / beta as L (1/beta)_hi + L (1/beta)_lo (split_reciprocal),
// one rounding. Below t = -40, L = e^t kept scaled by 2^96 until the last multiply: softplus(-100)
// = 3.7e-44 is a subnormal rounded once (the spec: large negative x keeps the tiny e^x).
// Backward: dy sigma(z) = (dy sc) / d with num::logistic_of_product (as swish), rounded once;
// 0 (dy * 0: NaN stays NaN) below z = -110.
// Choices where the spec is silent (PyTorch's):
// - The threshold test is PyTorch's (x * beta) > threshold on the float32 product, so the same
//   elements take the linear branch; at z = threshold the two branches differ by under an ULP
//   for the default threshold 20 (log1p(e^-20) = 2e-9).
// - beta < 0 is accepted (the formula holds: softplus -> x where beta x > threshold, i.e. for
//   x -> -inf). beta = 0 gives log(2)/0 = +inf and dy/2, as PyTorch (its limit is infinite);
//   the backward's dx at x = +-inf is then NaN on baseline x86-64 (num::scaled_exp_product with
//   c = 0 splits x = FLT_MAX without FMA, which overflows), dy/2 on AVX2 and AVX-512.
// - softplus(-inf) = 0 (beta > 0), softplus(+inf) = +inf; softplus'(-inf) = 0, softplus'(+inf) = 1.
#pragma once

namespace hact::ops {

struct softplus : OpBase {
    // beta x rounded once, strictly, as PyTorch's (x * beta): its comparison with the threshold
    // picks the linear branch, and its sign the branch of the formula.
    static Expr product(const Expr &x, const Params &p) {
        return num::strict_apply({x, p.beta}, [](auto v) { return v[0] * v[1]; });
    }
    static Expr is_default_beta(const Params &p) { return p.beta == num::f32(1.0f); }

    // c = -|beta| and 1/beta as split scalars (constants for beta = 1).
    static Expr forward_with(const Expr &x, const Expr &z, const num::SplitScalar &c,
                             const num::SplitScalar &inv_beta) {
        using namespace num;
        const ExpParts e = exp_parts(c, Halide::abs(x), -kTwoSidedMax, 0.0f);
        const ScaledValue l = log1p_exp_parts(e);
        const Expr l_beta = mul_split(inv_beta, l.v);  // L / beta, scaled (L is finite)
        // z > 0: x + L / beta; else L / beta (when beta x underflows to 0, x is below an ULP of it).
        return strict_apply({x, l_beta, l.sc, z}, [](auto v) {
            return Halide::select(v[3] > f32(0.0f), v[0] + v[1] * v[2], v[1] * v[2]);
        });
    }
    static Expr backward_with(const Expr &x, const Expr &dy, const Expr &beta) {
        using namespace num;
        const Logistic l = logistic_of_product(beta, x, true);  // dy sigma: bounded
        const Expr dx = strict_apply({dy, l.sc, l.d}, [](auto v) { return (v[0] * v[1]) / v[2]; });
        return Halide::select(l.flush, times_zero(dy), dx);
    }

    // PyTorch's beta = 1 is generated with the constant (c = -1 and 1/beta = 1 exactly), other
    // betas with the parameter; the specializations give each a loop where the select goes.
    static Expr forward(const Expr &x, const Params &p) {
        using namespace num;
        const Expr z = product(x, p);
        const Expr y = Halide::select(
            is_default_beta(p), forward_with(x, z, split_exact(f32(-1.0f)), split_exact(f32(1.0f))),
            forward_with(x, z, split_exact(-Halide::abs(p.beta)), split_reciprocal(p.beta)));
        return keep_nan(x, Halide::select(z > p.threshold, x, y));
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &p) {
        using namespace num;
        const Expr dx = Halide::select(is_default_beta(p), backward_with(x, dy, f32(1.0f)),
                                       backward_with(x, dy, p.beta));
        return keep_nan(x, Halide::select(product(x, p) > p.threshold, dy, dx));
    }
    // The backward's exponential also selects on beta's sign (num::exp_product_cases).
    static std::vector<Expr> specializations(const Params &p) {
        std::vector<Expr> cases = {is_default_beta(p)};
        for (const Expr &c : num::exp_product_cases(-p.beta)) cases.push_back(c);
        return cases;
    }

    // float64: (max(z, 0) + log1p(e^-|z|)) / beta with e^-|z| from the exact product -|beta| |x|
    // (|x| held finite: beta = 0 gives log(2)/0 = inf at x = +-inf too, as float32);
    // dy sigma(z) (float64.h's logistic, its tail scaled). The threshold test on z = x beta in double.
    static Expr forward64(const Expr &x, const Params &p) {
        using namespace f64;
        Expr ax = Halide::min(Halide::abs(x), c(std::numeric_limits<double>::max()));
        Expr l = f64::lib_log1p(exp_product(-Halide::abs(p.beta), ax));
        Expr z = x * p.beta;
        Expr y = Halide::select(z > p.threshold, x, z > c(0.0), x + l / p.beta, l / p.beta);
        return keep_nan(x, strict(y));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) {
        using namespace f64;
        const double dmax = std::numeric_limits<double>::max();
        f64::Logistic l = logistic(p.beta, Halide::clamp(x, c(-dmax), c(dmax)));
        Expr dx = Halide::select(x * p.beta > p.threshold, dy, (dy * l.sigma_s) * l.sigma_un);
        return keep_nan(x, strict(dx));
    }
};

}  // namespace hact::ops
