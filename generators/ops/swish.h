// swish(x) = s * x * sigma(beta x); beta learnable. silu and quick_gelu are swish with fixed beta.
#pragma once

namespace hact::ops {

struct swish : OpBase {
    // The shared math, for any beta and scale (silu passes constants, which Halide folds).
    // Infinities need no special case: x = +-inf reaches the limits through the clamped
    // exponential (sigma -> 1) or the flush (sigma -> 0); with beta = 0, x is clamped to finite
    // values inside the exponential, so sigma = 1/2 and y = s x / 2.
    // s the constant 1 (silu, quick_gelu): results bounded as num::scaled_exp_product's
    // `bounded` needs, whatever beta; swish's per-call scale can be any size.
    static bool bounded(const Expr &s) { return Halide::Internal::is_const(s, 1); }
    static Expr forward_with(const Expr &x, const Expr &beta, const Expr &s) {
        using namespace num;
        Logistic l = logistic_of_product(beta, x, bounded(s));
        // (x s sc) / d: with sc = 2^-96 for beta x < -40 the quotient is rounded once, so tails
        // keep their subnormal values (s sc is exact: a blend of s and s 2^-96).
        Expr y = strict_apply({x, l.exp.scale(s), l.d}, [](auto v) { return (v[0] * v[1]) / v[2]; });
        return keep_nan(x, Halide::select(l.flush, f32(0.0f), y));
    }

    // dy f'(x) = dy s sigma(z) (1 + z (1 - sigma(z))), z = beta x, rounded once at the end.
    static Expr backward_with(const Expr &x, const Expr &dy, const Expr &beta, const Expr &s) {
        using namespace num;
        Logistic l = logistic_of_product(beta, x, bounded(s));
        // l.z is clamped where sigma = 1, which keeps z (1 - sigma) at its limit 0 (below
        // -kExpMax the flush applies).
        // g = 1 + z (1 - sigma), the factor of sigma in f'/s, in the form that does not cancel:
        //   z <  0: (1 + z) - z sigma   (sigma = sc / d small; 1 + z carries the value)
        //   z >= 0: 1 + z q             (q = 1 - sigma = e / d small)
        // one division either way: w = (z < 0 ? sc : e) / d.
        // Narrow results (bf16, f16): one quotient, R = 1/d, and products by it (two more
        // roundings of 2^-24, far below the narrow type's; one division less per vector).
        Expr neg = l.z < f32(0.0f);
        const bool narrow = narrow_result();
        Expr R = narrow ? strict_apply({l.d}, [](auto v) { return f32(1.0f) / v[0]; }) : Expr();
        Expr w = narrow ? Halide::select(neg, l.sc, l.e) * R : Halide::select(neg, l.sc, l.e) / l.d;
        Expr g = num::fused_mul_add(Halide::select(neg, -l.z, l.z), w,
                                    Halide::select(neg, f32(1.0f) + l.z, f32(1.0f)));
        Expr dx = narrow ? strict_apply({dy * s * g, l.sc, R}, [](auto v) { return (v[0] * v[1]) * v[2]; })
                         : strict_apply({dy * s * g, l.sc, l.d}, [](auto v) { return (v[0] * v[1]) / v[2]; });
        return keep_nan(x, Halide::select(l.flush, times_zero(dy), dx));
    }

    // PyTorch's defaults (beta = 1, scale = 1: silu) get a loop of their own, where the
    // constants fold; otherwise beta's sign decides which side of x the exponential of -beta x
    // clamps: one loop each.
    static std::vector<Expr> specializations(const Params &p) {
        std::vector<Expr> cases = {p.beta == num::f32(1.0f) && p.scale == num::f32(1.0f)};
        for (const Expr &c : num::exp_product_cases(-p.beta)) cases.push_back(c);
        return cases;
    }

    static Expr forward(const Expr &x, const Params &p) { return forward_with(x, p.beta, p.scale); }
    static Expr backward(const Expr &x, const Expr &dy, const Params &p) {
        return backward_with(x, dy, p.beta, p.scale);
    }
    // d/dbeta: dy s x^2 sigma(z) (1 - sigma(z)).
    static std::vector<Expr> param_grads(const Expr &x, const Expr &dy, const Params &p) {
        using namespace num;
        Logistic l = logistic_of_product(p.beta, x);
        Expr term = strict_apply({dy * p.scale * x * x * l.q, l.sc, l.d},
                                 [](auto v) { return (v[0] * v[1]) / v[2]; });
        // Above -kExpMin the term is below 1e-34 s/beta^2: flush it rather than let the clamped
        // exponential overstate it; below -kExpMax it is below 1e-44 s/beta^2.
        return {keep_nan(x, Halide::select(l.flush || l.z >= f32(-kExpMin), times_zero(dy), term))};
    }

    // ---- float64 (generators/float64.h) ----
    // s x sigma(beta x) and dy s sigma(z) (1 + z (1 - sigma(z))), products of the logistic's
    // scaled pair (exact tails: f64::exp_tail) with their roundings collected (f64::Chain),
    // unscaled once at the end. x is clamped where
    // |beta x| > 1000 (sigma is 0 or 1 there, z (1 - sigma) is 0); below z = -1000 the results
    // are float32's flushed limits (+0, dy * 0): |s x sigma| < 2^120 1000 e^-1000 rounds to 0.
    static Expr clamp64(const Expr &x, const Expr &beta) {
        Expr lim = Halide::select(beta == f64::c(0.0), f64::c(std::numeric_limits<double>::max()),
                                  f64::c(1000.0) / Halide::abs(beta));
        return Halide::clamp(x, -lim, lim);
    }
    static Expr flushed64(const Expr &x, const Expr &beta) { return x * beta < f64::c(-1000.0); }
    static Expr forward64_with(const Expr &x, const Expr &beta, const Expr &s) {
        using namespace f64;
        Logistic l = logistic(beta, clamp64(x, beta));
        Expr y = finish(with_rel(chain(s) * x * l.sig_num / l.d, l.sig_rel)) * l.sigma_un;
        return keep_nan(x, strict(Halide::select(flushed64(x, beta), c(0.0), y)));
    }
    // g = 1 + z (1 - sigma) as (1 + z) - z sigma for z < 0 (as float32), with z's rounding
    // error put back (1 + z is exact for z <= -1/2).
    static Expr backward64_with(const Expr &x, const Expr &dy, const Expr &beta, const Expr &s) {
        using namespace f64;
        Logistic l = logistic(beta, clamp64(x, beta));
        Expr g = Halide::select(l.z < c(0.0), f64::fma64(-l.z, l.sigma, (c(1.0) + l.z) + l.z_err),
                                f64::fma64(l.z, l.q, c(1.0) + l.z_err * l.q));
        Expr dx = finish(with_rel(chain(dy) * s * g * l.sig_num / l.d, l.sig_rel)) * l.sigma_un;
        return keep_nan(x, strict(Halide::select(flushed64(x, beta), dy * c(0.0), dx)));
    }
    static Expr forward64(const Expr &x, const Params &p) { return forward64_with(x, p.beta, p.scale); }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) {
        return backward64_with(x, dy, p.beta, p.scale);
    }
    static std::vector<Expr> param_grads64(const Expr &x, const Expr &dy, const Params &p) {
        using namespace f64;
        Expr xc = clamp64(x, p.beta);
        Logistic l = logistic(p.beta, xc);
        Expr t = (((dy * p.scale) * (xc * xc)) * (l.sigma_s * l.q_s)) * (l.sigma_un * l.q_un);
        return {keep_nan(x, strict(Halide::select(flushed64(x, p.beta) || l.sigma * l.q == c(0.0), dy * c(0.0), t)))};
    }
};

}  // namespace hact::ops
