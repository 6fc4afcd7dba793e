// tanh(x); tanh'(x) = 1 - tanh(x)^2 = sech(x)^2.
//
// Both from E = e^(-2|x|) = 2^n (1 + u) (sf::exp_neg):
//   |tanh(x)| = -(E - 1) / (1 + E)  with E - 1 = sf::NegExp::expm1(), one FMA: rounded once for
//   |x| < 8.3 (E >= 2^-24), -1 within an ulp beyond, where tanh rounds to 1 - 2^-24 or 1
//   anyway (the full sweep's maximum stays 1.93 ULP, at x = 0.517; rounding once there too cost
//   a select and two operations per vector: 1.13-1.17x, Intel Xeon, avx512, 1 thread). u is relative-
//   accurate for small arguments, so there is no cancellation near 0, tanh(x) = x exactly for
//   |x| < 2^-12, and no 1 - 2/(e^2x + 1)), and 1 + E = fma(2^n, u, 2^n + 1), rounded once where
//   2^n + 1 is exact (|x| < 7.9) and within 1 ulp beyond, where tanh is 1 - 2E (NegExp::
//   one_plus_parts' leading part: no select on n; 1.10x in the forward, Intel Xeon, avx512;
//   M + 2 from the rounded E - 1 saved one operation more but measured 2.5 ULP, not 1.93).
//   sech^2(x) = 4E / (1 + E)^2, no cancellation anywhere: 1 + E as d + d_lo exactly
//   (NegExp::half_one_plus_squared, select-free; 1.27x over the select form); for |x| > 20 E is
//   taken in the deep range (2^-58-scaled), so sech^2 keeps its subnormal values
//   (44.4 < |x| < 52.4) with one final rounding.
// Choices (the spec is silent): tanh(-0) = -0 (the sign of x is copied onto |tanh|);
// dx = dy * 0 (NaN for a NaN dy) where sech^2(x) < e^-120, |x| > 60 (results below 2^-170 |dy|).
#pragma once

#include "special_functions.h"

namespace hact::ops {

struct tanh : OpBase {
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        // tanh rounds to 1 above 9.01: clamping at 10 keeps E above e^-20 (and +-inf finite).
        Expr a = Halide::min(Halide::abs(x), f32(10.0f));
        sf::NegExp e = sf::exp_neg(a * f32(-2.0f), Expr(), sf::Deep::None);
        Expr t = strict_apply({e.expm1(), e.one_plus_parts().hi}, [](auto v) { return -v[0] / v[1]; });
        // |t| with the sign of x (bit operations: signed zeros survive fast-math).
        Expr y = from_bits((bits(t) & Expr(0x7fffffffu)) | (bits(x) & Expr(0x80000000u)));
        return keep_nan(x, y);
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        Expr a = Halide::abs(x);
        Expr flush = a > f32(-sf::kExpNegMin / 2);
        a = Halide::min(a, f32(-sf::kExpNegMin / 2));
        sf::NegExp e = sf::exp_neg(a * f32(-2.0f), Expr(), sf::Deep::Select);
        // dy E / ((1 + E)/2)^2: dy 2^n is exact (2^n <= 1), so the numerator rounds once, and
        // nothing overflows for any finite dy.
        Expr dn = dy * e.two_n;
        Expr num = sf::fma(dn, e.u, dn);
        Expr dx = strict_apply({num, e.half_one_plus_squared()}, [](auto v) { return v[0] / v[1]; });
        dx = sf::unscale(e, dx);
        return keep_nan(x, Halide::select(flush, times_zero(dy), dx));
    }

    // float64: the C library's tanh; sech^2(x) = 4E / (1 + E)^2, E = e^(-2|x|) (an exact
    // argument; f64::logistic_slope).
    static Expr forward64(const Expr &x, const Params &) { return num::keep_nan(x, f64::strict(f64::lib_tanh(x))); }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &) {
        using namespace f64;
        return keep_nan(x, strict(logistic_slope(dy * c(4.0), {Halide::abs(x) * c(-2.0), c(0.0)})));
    }
};

}  // namespace hact::ops
