// mish(x) = x tanh(softplus(x)); mish'(x) = tanh(sp(x)) + x sigma(x) (1 - tanh^2(sp(x))).
//
// Forward: a rational function of E = e^-|x| <= 1 (sf::exp_neg: no overflow; for x < -40 in the
// deep range, so the subnormal tail mish(-100) = -3.7e-42 is rounded once). With w = e^x,
// tanh(sp(x)) = ((1+w)^2 - 1) / ((1+w)^2 + 1):
//   x <  0 (w = E):   mish = x E (1 - E (E + 1) / (E^2 + 2E + 2))
//   x >= 0 (w = 1/E): mish = x (1 - E^2 / (E^2 + E + 1/2))
// i.e. y = B - B rho with B = x E (one rounding: x 2^n exact, then an FMA) or x, and rho <= 0.4 a
// quotient whose error is damped by rho / (1 - rho) <= 2/3: no cancellation anywhere (oneDNN's
// formula loses ~2e4 ULP for |x| <= 10).
// Backward, with w = e^x (x <= 15) and R = 1/((1+w)^2 + 1), so that tanh(sp(x)) = 1 - 2R and
// 1 - tanh^2(sp(x)) = 4 (1+w)^2 R^2, in three pieces, each where its terms do not cancel:
//   x >= 0.03:        mish' = 1 - R (2 - 4x w (1+w) R)        (the bracket term is <= 0.4)
//   x < -1/2:         mish' = w (x + 1 - C), C = w P(w) R^2,
//                     P = (4x+2) + (8x+4) w + (4x+3) w^2 + (x+1) w^3 (x + 1 is exact there, C is
//                     a correction: small for x << 0, and near the root of mish' at -1.19 the
//                     error is that of the largest term of the derivative)
//   -1/2 <= x < 0.03: a minimax polynomial of mish' in x (degree 6, 0.16 ULP), where both forms
//                     above lose up to 4 ULP to the rounding of R.
// dy w is formed from the parts of e^x (one rounding), 2^-58-scaled below x = -40.
// Choices (the spec is silent): mish(-0) = -0; mish(x) = x for x > 10 (x tanh(sp(x)) rounds to
// x there); mish(-inf) = -0 and mish'(-inf) = 0 (x is clamped to -120 inside, where every result
// has rounded to zero), as for finite x below -107; mish'(x) = 1 for x > 15; below x = -120,
// dx = dy * 0 (NaN for a NaN dy).
#pragma once

#include "special_functions.h"

namespace hact::ops {

struct mish : OpBase {
    static constexpr float kClampLo = -120.0f;  // sf::kExpNegMin
    static constexpr float kClampHi = 30.0f;
    static constexpr float kBwdClampHi = 15.0f;

    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        using Halide::select;
        Expr xc = Halide::clamp(x, f32(kClampLo), f32(kClampHi));
        Expr neg = xc < f32(0.0f);
        sf::NegExp e = sf::exp_neg(-Halide::abs(xc), Expr(), sf::Deep::Select);
        Expr ev = e.deep_or(e.value(), f32(0.0f));  // E itself (0 where negligible)
        // rho = E (E + 1) / (E^2 + 2E + 2) or E^2 / (E^2 + E + 1/2)
        Expr den = sf::fma(ev, ev + select(neg, f32(2.0f), f32(1.0f)), select(neg, f32(2.0f), f32(0.5f)));
        Expr rho = sf::fma(ev, ev, select(neg, ev, f32(0.0f))) / den;
        // B = x E = x 2^n (1 + u), one rounding (x 2^n is exact); 2^-58-scaled in the deep range.
        Expr xn = xc * e.two_n;
        Expr b = select(neg, sf::fma(xn, e.u, xn), xc);
        Expr y = sf::unscale(e, sf::fma(-b, rho, b));
        // mish(x) has x's sign (tanh(softplus(x)) > 0): x's sign bit or-ed in gives -0 at x = -0
        // (where B - B rho is +0) without a compare.
        y = from_bits(bits(y) | (bits(x) & Halide::Expr(0x80000000u)));
        // NaN and x >= 10 (where y rounds to x; also +inf) give x: one compare. A select on
        // x > 10 || x == 0 beside keep_nan's test was mask logic, which AVX2 widened (9 shuffles
        // per vector).
        return x_unless_below(x, f32(10.0f), y);
    }

    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        using Halide::select;
        // w = e^x, x clamped to [-120, 15] (mish'(x) rounds to 1 above 15; below -120 see the flush)
        Expr xc = Halide::clamp(x, f32(kClampLo), f32(kBwdClampHi));
        sf::NegExp e = sf::exp_neg(xc, Expr(), sf::Deep::Select);
        Expr ws = e.value();                       // w, 2^-58-scaled where e.scaled (x < -40)
        Expr w = e.deep_or(ws, f32(0.0f));         // w itself (0 where negligible next to 1)
        // R = 1/delta = 1/((1 + w)^2 + 1): tanh(sp(x)) = 1 - 2R, 1 - tanh^2(sp(x)) = 4 (1+w)^2 R^2
        Expr R = f32(1.0f) / sf::fma(w, w + f32(2.0f), f32(2.0f));
        Expr A = w * R;
        Expr x1 = xc + f32(1.0f);                  // exact for x <= -1/2, where it is used
        Expr x4 = (xc + xc) + (xc + xc);           // 4x, exact, on the adder
        // x >= 0.03: mish' = 1 - R (2 - 4x w (1+w) R)  (R (...) <= 0.4 + O(x e^-x))
        Expr pos = sf::fma(-R, f32(2.0f) - (x4 * (w + f32(1.0f))) * A, f32(1.0f));
        // x < -1/2: mish' = w (x + 1 - C), C = w P R^2, P = (4x+2) + (8x+4) w + (4x+3) w^2 + (x+1) w^3
        // (x + 1 is exact and C is a correction: small for x << 0, and where it is not, the root
        // of mish' at -1.19 makes the error that of the largest term).
        Expr x42 = x4 + f32(2.0f);
        Expr p = sf::fma(x1, w, x4 + f32(3.0f));
        p = sf::fma(p, w, x42 + x42);
        p = sf::fma(p, w, x42);
        Expr k = x1 - (p * A) * R;
        // -1/2 <= x < 0.03: a minimax polynomial of mish' in x (degree 6, 0.16 ULP), where both
        // forms above lose up to 4 ULP to the rounding of R.
        static const float c[] = {0x1.333334p-1f, 0x1.47ae12p-1f, -0x1.892616p-5f, -0x1.7760eep-3f,
                                  -0x1.fb6656p-12f, 0x1.abd1dcp-5f, 0x1.1026bep-6f};
        // A narrow result (2^-12) takes the x >= 0.03 form there too: no polynomial, one select
        // fewer (AVX-512 bf16 loop: 130 -> 96 instructions per 32 elements).
        Expr mid = f32(c[6]);
        for (int i = 5; i >= 0; --i) mid = sf::fma(mid, xc, f32(c[i]));
        Expr m = narrow_result() ? select(xc < f32(-0.5f), ws * k, pos)
                                 : select(xc < f32(-0.5f), ws * k, xc < f32(0.03f), mid, pos);
        Expr dx = sf::unscale(e, strict_apply({dy, m}, [](auto v) { return v[0] * v[1]; }));
        // Below -120 every dy mish'(x) with |dy| < 1e5 has rounded to zero: flush (keeping a NaN dy).
        return keep_nan(x, select(x < f32(kClampLo), times_zero(dy), dx));
    }

    // ---- float64 ----
    // Forward: float32's rational form of E = e^-|x| (no cancellation), x clamped to [-1000, 40]
    // (mish(x) rounds to x above 40), with B = x E from the scaled tail (f64::exp_tail) and the
    // result unscaled once: exact to the last rounding where it is subnormal. Backward, in E:
    //   x >= 0 (E = e^-x, x clamped at 40, where mish' rounds to 1): P = 1 + 2E + 2E^2,
    //     R = E^2 / P, mish' = 1 + R (4x (1 + E) / P - 2)   (|R (...)| <= 0.4: no cancellation)
    //   -1/2 <= x < 0 (E = e^x): R = 1 / (E^2 + 2E + 2), mish' = E R ((E + 2) + 4x (1 + E) R)
    //   x < -1/2: float32's form, mish' = E (x + 1 - C), C = E P R^2 with
    //     P = (4x+2) + (8x+4) E + (4x+3) E^2 + (x+1) E^3 (x + 1 exact; C a correction, and at the
    //     root of mish' near -1.19 the error is that of the largest term), E scaled in the tail.
    // Below x = -1000 the results are float32's limits: -0 forward, dy * 0 backward.
    static Expr forward64(const Expr &x, const Params &) {
        using namespace f64;
        Expr xc = Halide::clamp(x, c(-1000.0), c(40.0));
        Expr neg = xc < c(0.0);
        TailExp e = exp_tail({-Halide::abs(xc), c(0.0)});
        Expr den = f64::fma64(e.e, e.e + Halide::select(neg, c(2.0), c(1.0)), Halide::select(neg, c(2.0), c(0.5)));
        Expr rho = f64::fma64(e.e, e.e, Halide::select(neg, e.e, c(0.0))) / den;
        Expr b = Halide::select(neg, xc * e.es, xc);
        Expr y = f64::fma64(-b, rho, b) * Halide::select(neg, e.unscale, c(1.0));
        y = Halide::select(x > c(40.0) || x == c(0.0), x, y);
        return keep_nan(x, strict(y));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &) {
        using namespace f64;
        Expr xc = Halide::clamp(x, c(-1000.0), c(40.0));
        TailExp te = exp_tail({-Halide::abs(xc), c(0.0)});
        Expr e = te.e;
        Expr p = f64::fma64(e, e + e, f64::fma64(e, c(2.0), c(1.0)));
        Expr r_pos = (e * e) / p;
        Expr pos = f64::fma64(r_pos, (c(4.0) * xc) * (c(1.0) + e) / p - c(2.0), c(1.0));
        Expr r_neg = c(1.0) / f64::fma64(e, e + c(2.0), c(2.0));
        Expr negm = (e * r_neg) * f64::fma64((c(4.0) * xc) * (c(1.0) + e), r_neg, e + c(2.0));
        // x < -1/2: E (x + 1 - C), E scaled (te.es) and unscaled after dy's product
        Expr x1 = xc + c(1.0), x4 = c(4.0) * xc, x42 = x4 + c(2.0);
        Expr pp = f64::fma64(x1, e, x4 + c(3.0));
        pp = f64::fma64(pp, e, x42 + x42);
        pp = f64::fma64(pp, e, x42);
        Expr k = x1 - ((pp * (e * r_neg)) * r_neg);
        Expr far = xc < c(-0.5);
        Expr m = Halide::select(far, te.es * k, xc >= c(0.0), pos, negm);
        Expr dx = (dy * m) * Halide::select(far, te.unscale, c(1.0));
        return keep_nan(x, strict(Halide::select(x < c(-1000.0), dy * c(0.0), dx)));
    }
};

}  // namespace hact::ops
