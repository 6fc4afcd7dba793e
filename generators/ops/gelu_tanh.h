// gelu_tanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)   (PyTorch approximate='tanh')
//             = x sigma(z),  z = 2u = x (k0 + k1 x^2),  k0 = 2 sqrt(2/pi), k1 = 0.044715 k0
// gelu_tanh'(x) = sigma(z) + x sigma(z) (1 - sigma(z)) z'(x),  z' = k0 + 3 k1 x^2.
//
// The logistic form has no cancellation where tanh(u) is near -1 (the x < 0 tail is relative-
// accurate down to the subnormal results near x = -10.7). sigma(-|z|) decays like e^-|z|, so an
// absolute error in z is a relative error in the result: z is computed as a double-float (hi + lo,
// relative error ~2^-40) from the exact square of x and double-float constants (two_prod, two_sum),
// and the exponential takes its low part (sf::exp_neg). With E = e^-|z| = 2^n (1 + u):
//   x <  0: f = (x E) / (1 + E)     x E = fma(x 2^n, u, x 2^n) rounds once
//   x >= 0: f = x / (1 + E)
//   1 + E rounded from 1 + 2^n and 2^n u (NegExp::one_plus_parts' leading part: within 1 ulp, one
//   FMA, no select on n; 1.1x in the forward, Intel Xeon, avx512)
//   f' = R (1 + c E R) for x >= 0 and E R (1 - c R) for x < 0, with R = 1/(1 + E) = sigma(|z|)
//   and c = |x z'(x)|, all in float32: 1 + E, R (the division's residual), c (from |z|'s two
//   parts, 3 |z| - 2 k0 |x|), the bracket K and K R as double-floats, then two roundings
//   (K R (1 + u), times dy): 1.5 ULP at dy = 1 and 2.4 at random dy in the accuracy sweep, 1.66 at
//   dy = 1 over every float32. Rounding c or K once, or adding K R's low part without its factor
//   1 + u, measured 2.9-3.7 ULP (3.37 in a full sweep); a float64 evaluation (1.0 ULP) took 1.2x
//   the time (Intel Xeon, avx512, 1 thread). The root of f' near -0.75 is where 1 - c R cancels;
//   the error there is that of the largest term.
// |x| is clamped at 12 inside z (x^3 cannot overflow): beyond it sigma(z) is 0 or 1 in float32
// (|z| > 140), and the clamped exponential (e^-120) gives the limits: f(x) = x above 12 (and +inf),
// -0 below (and at -inf); f' = 1 and 0.
// Choices (the spec is silent): gelu_tanh(-0) = -0; gelu_tanh(-inf) = -0; dy * 0 (NaN for a NaN
// dy) where f' underflows.
#pragma once

#include "special_functions.h"

namespace hact::ops {

struct gelu_tanh : OpBase {
    static constexpr float kClamp = 12.0f;
    static constexpr float k0_hi = 0x1.988454p+0f, k0_lo = -0x1.857936p-25f;  // 2 sqrt(2/pi)
    static constexpr float k1_hi = 0x1.2444f2p-4f, k1_lo = 0x1.49b16ap-29f;   // 0.044715 k0
    // |z| = |x| (k0 + k1 x^2) as a double-float, for |x| <= kClamp.
    // A narrow result takes |z| rounded (3 roundings: 2^-22 relative, |z| 2^-22 <= 2^-15 relative
    // in e^-|z| where the result is not 0 (|z| < 110), against a 16-bit result's 2^-12): the low
    // part is the constant 0, and the backward's double-float chain on it goes.
    static sf::DoubleFloat abs_z(const Expr &a) {
        using namespace num;
        if (narrow_result()) return {a * sf::fma(f32(k1_hi), a * a, f32(k0_hi)), f32(0.0f)};
        sf::DoubleFloat s = sf::two_prod(a, a);             // a^2
        sf::DoubleFloat p = sf::two_prod(f32(k1_hi), s.hi);  // k1_hi s_hi
        sf::DoubleFloat w = sf::two_sum(f32(k0_hi), p.hi);  // k0 + k1 a^2, leading part
        Expr w_lo = w.lo + p.lo + f32(k0_lo) + sf::fma(f32(k1_lo), s.hi, f32(k1_hi) * s.lo);
        sf::DoubleFloat z = sf::two_prod(a, w.hi);
        return {z.hi, sf::fma(a, w_lo, z.lo)};
    }
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        using Halide::select;
        Expr a = Halide::min(Halide::abs(x), f32(kClamp));
        sf::DoubleFloat z = abs_z(a);
        Expr t_hi = Halide::max(-z.hi, f32(sf::kExpNegMin));
        sf::NegExp e = sf::exp_neg(t_hi, -z.lo, sf::Deep::Select);
        Expr neg = x < f32(0.0f);
        Expr xc = -a;  // x where x < 0 (clamped: -inf gives -0)
        Expr xn = xc * e.two_n;
        Expr num = select(neg, sf::fma(xn, e.u, xn), x);
        Expr y = sf::unscale(e, strict_apply({num, e.one_plus_parts().hi}, [](auto v) { return v[0] / v[1]; }), neg);
        // y(-0) = -0 / 2 = -0 already; NaN: keep_nan.
        return keep_nan(x, y);
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        using Halide::select;
        Expr a = Halide::min(Halide::abs(x), f32(kClamp));
        sf::DoubleFloat z = abs_z(a);
        sf::NegExp e = sf::exp_neg(Halide::max(-z.hi, f32(sf::kExpNegMin)), -z.lo, sf::Deep::Select);
        Expr neg = x < f32(0.0f);
        // f' = R K with K = 1 + c E R (x >= 0: E R = 1 - sigma(z) <= 1/2), and
        // f' = E R K with K = 1 - c R (x < 0; cancels near the root, x = -0.75); W = K R (1 + u)
        // for x < 0, K R for x >= 0
        Expr W;
        if (narrow_result()) {
            // A narrow result: c, R, K and K R each rounded (~2^-21 relative; at the root 2^-22 of
            // the larger term, 1), against a 16-bit result's 2^-12
            Expr c = a * sf::fma(f32(3.0f * k1_hi), a * a, f32(k0_hi));
            Expr r = strict_apply({e.one_plus_parts().hi}, [](auto v) { return f32(1.0f) / v[0]; });
            Expr rn = r * e.deep_or(e.two_n, f32(0.0f));
            Expr K = select(neg, sf::fma(-c, r, f32(1.0f)), sf::fma(c, sf::fma(rn, e.u, rn), f32(1.0f)));
            Expr P = K * r;
            W = select(neg, sf::fma(P, e.u, P), P);
        } else {
            // c = |x z'(x)| = a (k0 + 3 k1 a^2) = 3 |z| - 2 k0 a as a double-float c + c_lo: 3 z_hi and
            // 2 k0_hi a exactly (two_prod), their difference by Fast2Sum (3 |z| >= 3 k0 a: at most 1.6
            // bits cancel), the low parts added to c_lo
            sf::DoubleFloat z3 = sf::two_prod(f32(3.0f), z.hi);
            sf::DoubleFloat m = sf::two_prod(f32(2.0f * k0_hi), a);
            Expr c = z3.hi - m.hi;
            Expr c_err = strict_apply({z3.hi, m.hi, c}, [](auto v) { return (v[0] - v[2]) - v[1]; });
            Expr c_lo = c_err + sf::fma(f32(-2.0f * k0_lo), a, sf::fma(f32(3.0f), z.lo, z3.lo - m.lo));
            // R = 1/(1 + E) = r + r_lo, from 1 + E exactly (d + d_lo)
            sf::DoubleFloat R = sf::reciprocal(e.one_plus_parts());
            Expr r = R.hi, r_lo = R.lo;
            Expr rn = r * e.deep_or(e.two_n, f32(0.0f));
            // K = K_hi + K_lo: for x < 0, 1 - c R with c r exact (two_prod) and 1 - (c r)_hi exact where
            // c r >= 1/2 (Sterbenz, or both multiples of ulp(c r)), the low parts in K_lo; for x >= 0,
            // 1 + c q rounded once and c_lo q in K_lo
            sf::DoubleFloat cr = sf::two_prod(c, r);
            Expr q = sf::fma(rn, e.u, rn);
            Expr K_hi = select(neg, f32(1.0f) - cr.hi, sf::fma(c, q, f32(1.0f)));
            Expr K_lo = select(neg, -sf::fma(c, r_lo, sf::fma(c_lo, r, cr.lo)), c_lo * q);
            // P = K R, exactly up to 2^-40 (two_prod)
            sf::DoubleFloat P = sf::two_prod(K_hi, r);
            Expr P_lo = sf::fma(K_lo, r, sf::fma(K_hi, r_lo, P.lo));
            // W = K R (1 + u) for x < 0 (P's low part times 1 + u too: it can be a few ulps of P_hi),
            // K R for x >= 0, rounded once
            Expr U = select(neg, e.u, f32(0.0f));
            W = strict_apply({P.hi, sf::fma(P.hi, U, sf::fma(P_lo, U, P_lo))}, [](auto v) { return v[0] + v[1]; });
        }
        // times 2^n for x < 0 (2^(n + 58) where scaled: unscaled below, one rounding)
        Expr dx = strict_apply({dy, W, select(neg, e.two_n, f32(1.0f))}, [](auto v) { return (v[0] * v[1]) * v[2]; });
        dx = sf::unscale(e, dx, neg);
        // |x| > 12 (and +-inf): f' is 1 or 0 in float32
        dx = select(Halide::abs(x) > f32(kClamp), select(neg, times_zero(dy), dy), dx);
        return keep_nan(x, dx);
    }

    // ---- float64 ----
    // As float32: x sigma(z) in the logistic form, with |z| = |x| (k0 + k1 x^2) as a double-double
    // (exact square, products and sums), e^-|z| = e^(-z_hi) (1 - z_lo), scaled in its tail
    // (f64::exp_tail: x < -21 has e^-|z| below DBL_MIN); |x| clamped at 30 (|z| > 1900: sigma is
    // 0 or 1 in double). The backward is float32's formula in double.
    struct AbsZ64 {
        Expr hi, lo, a;
    };
    static AbsZ64 abs_z64(const Expr &x) {
        using namespace f64;
        const double k0_hi = 0x1.9884533d43651p+0, k0_lo = -0x1.cbc0d30ebfd15p-54;
        const double k1_hi = 0x1.2444f2a4d8b4bp-4, k1_lo = -0x1.6c843a29d1c70p-61;
        Expr a = Halide::min(Halide::abs(x), c(30.0));
        Expr s = a * a, s_lo = f64::fma64(a, a, -s);
        Expr p = c(k1_hi) * s, p_lo = f64::fma64(c(k1_hi), s, -p);
        Expr w = c(k0_hi) + p;                              // k0 + p: 2Sum (k0 > p is not known)
        Expr bb = w - c(k0_hi);
        Expr w_lo = (c(k0_hi) - (w - bb)) + (p - bb);
        w_lo = w_lo + p_lo + c(k0_lo) + f64::fma64(c(k1_lo), s, c(k1_hi) * s_lo);
        Expr z = a * w;
        return {z, f64::fma64(a, w, -z) + a * w_lo, a};
    }
    static Expr forward64(const Expr &x, const Params &) {
        using namespace f64;
        AbsZ64 z = abs_z64(x);
        TailExp e = exp_tail({-z.hi, -z.lo});
        OnePlus d = one_plus(e.e);
        Expr y = Halide::select(x < c(-30.0), c(-0.0), x < c(0.0), div_one_plus(-z.a * e.e0, d, e.lo) * e.unscale,
                                div_one_plus(x, d));
        return keep_nan(x, strict(y));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &) {
        using namespace f64;
        const double k0 = 0x1.9884533d43651p+0, k1x3 = 0x1.b6676bf7450f0p-3;
        AbsZ64 z = abs_z64(x);
        TailExp te = exp_tail({-z.hi, -z.lo});
        Expr e = te.e;
        Expr neg = x < c(0.0);
        // |x| z'(x) = |x| (k0 + 3 k1 x^2); for x < 0 the numerator 1 + e - |x| z' in one FMA
        Expr w3 = f64::fma64(c(k1x3), z.a * z.a, c(k0));
        OnePlus d = one_plus(e);
        Expr n = Halide::select(neg, f64::fma64(-z.a, w3, d.d), f64::fma64(z.a * w3, e, d.d));
        // (g n) / (1 + e)^2 with g = dy e0 (x < 0) or dy, then e's lo, (1 + e)'s and its square's
        // roundings put back to first order (as f64::logistic_slope)
        Expr dd = d.d * d.d;
        Expr dd_lo = f64::fma64(d.d, d.d, -dd);
        Expr q = (Halide::select(neg, dy * te.e0, dy) * n) / dd;
        Expr corr = Halide::select(neg, te.lo, c(0.0)) - (dd_lo / dd + c(2.0) * (d.lo / d.d));
        Expr core = Halide::select(Halide::is_finite(q) && q != c(0.0), f64::fma64(q, corr, q), q);
        Expr dx = Halide::select(Halide::abs(x) > c(30.0), Halide::select(neg, dy * c(0.0), dy),
                                 core * Halide::select(neg, te.unscale, c(1.0)));
        return keep_nan(x, strict(dx));
    }
};

}  // namespace hact::ops
