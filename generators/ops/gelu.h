// gelu(x) = x Phi(x) (PyTorch approximate='none'); gelu'(x) = Phi(x) + x phi(x).
//
// One formula on the whole line, from the normal tail Phi(-a) = e^(-a^2/2) m(a), a = |x|, with
// the Mills-ratio form m(a) = c_hi Qh / D of sf::normal_tail (a rational fit, no polynomial of
// high degree, no select between ranges):
//   W = a Phi(-a) = e^(-a^2/2) c_hi a Qh / D with one rounding (sf::normal_tail_product: the
//   numerator as a double-float, the quotient corrected from its exact residual); e^(-a^2/2)
//   always 2^58-scaled (Deep::Always), W unscaled by one multiply (a second rounding only where
//   W is subnormal)
//   gelu(x) = -W for x < 0 (relative-accurate down to the last subnormal result, x = -14.5),
//             x - W for x >= 0 (W <= x/2: no cancellation)
//   gelu'(x) = Phi(x) + x phi(x) = [x >= 0] + s e^(-a^2/2) (a/sqrt(2 pi) - m(a)), s = sign(x):
//   Qh / D as a double-float (NormalTail::inv_a_plus_h), the bracket rounded once, dy e^(-a^2/2)
//   rounded once, then one fma. The root of gelu' near x = -0.75 is where the bracket cancels;
//   the error there is that of the largest term.
// Full sweep over every float32 (docs/sweeps.md): 2.7 ULP forward (at x = -1.43), 2.89 backward
// (dy = 1, at x = -0.76, the root); the bound is 4 ULP. Against the degree-10 polynomial in
// (a - 4)/(a + 4) before it (3.3 and 3.29 ULP), stop 22: forward 1.19-1.25x, backward 1.14x
// (Intel Xeon, avx512, 1 thread, 2K to 1M elements), bf16 and f16 1.17-1.28x.
// bf16/f16 results need 2^-12 relative, not one rounding: the forward's W is rounded per operation
// (sf::normal_tail_times_a; bf16 with a shorter Mills fit), the backward's bracket from Qh/D
// rounded; exhaustive 16-bit tests: 0.530 ULP at most (was 0.519), 1.19-1.34x faster (stop 26, AMD EPYC Zen 4, avx512, 1 thread).
// Choices (the spec is silent): gelu(-0) = -0; gelu(-inf) = -0 (as for finite x below -14.5);
// gelu'(-inf) = 0 (dy * 0 in effect: NaN for a NaN dy), gelu'(+inf) = 1.
#pragma once

#include "special_functions.h"

namespace hact::ops {

struct gelu : OpBase {
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        sf::NormalTail t = sf::normal_tail(Halide::abs(x), sf::Deep::Always, sf::TailUse::ResultOnly);
        Expr w = sf::normal_tail_times_a(t);  // a Phi(-a)
        // -0 - w for x < 0, x - w else (x = -0 gives -0). The -0 from x's bits: Halide would
        // make select(x < 0, -0.0f, x) a max(x, 0), which loses the sign of zero.
        Expr keep = Halide::select(x < f32(0.0f), Halide::Expr(0x80000000u), Halide::Expr(0xffffffffu));
        Expr minuend = from_bits(bits(x) & keep);
        Expr y = strict_apply({minuend, w}, [](auto v) { return v[0] - v[1]; });
        return keep_nan(x, y);
    }
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        using Halide::select;
        sf::NormalTail t = sf::normal_tail(Halide::abs(x), sf::Deep::Select);
        Expr neg = x < f32(0.0f);
        // k = a/sqrt(2 pi) - m(a) = c a - c_hi Qh/D, Qh/D as a double-float: one rounding. A
        // narrow result: (a - Qh/D) c_hi with Qh/D rounded (the subtraction exact near the root,
        // where the error, 2^-24 of a, is again that of the largest term)
        Expr k;
        if (narrow_result()) {
            k = (t.a - strict_apply({t.q, t.d}, [](auto v) { return v[0] / v[1]; })) * f32(sf::kInvSqrt2PiHi);
        } else {
            sf::DoubleFloat rho = t.inv_a_plus_h();
            Expr ca_lo = sf::fma(f32(-sf::kInvSqrt2PiHi), rho.lo, t.a * f32(sf::kInvSqrt2PiLo));
            k = sf::fma(f32(-sf::kInvSqrt2PiHi), rho.hi, sf::fma(t.a, f32(sf::kInvSqrt2PiHi), ca_lo));
        }
        Expr de = t.e.value_times(dy);  // dy e^(-a^2/2), 2^-58-scaled where deep
        Expr dx = sf::fma(select(neg, -de, t.e.deep_or(de, f32(0.0f))), k,
                                select(neg, f32(0.0f), dy));
        dx = sf::unscale(t.e, dx, neg);
        // below -15.4 (and at -inf) |gelu'| < 2^-167: flush (dy * 0 keeps a NaN dy)
        dx = select(x < f32(-sf::kNormalTailMax), times_zero(dy), dx);
        return keep_nan(x, dx);
    }

    // ---- float64 ----
    // Phi(x) = erfc(-x/sqrt2)/2 with the argument's rounding put back: -x/sqrt2 = h + l (h rounded,
    // l from an fma and the constant's low part), erfc(h + l) = erfc(h) - l (2/sqrt(pi)) e^(-h^2)
    // (rounding h alone would cost 2 h^2 2^-53 of relative error in the tail: 1400 ULP at h = 26).
    // phi(x) from e^(-x^2/2) with x^2's rounding put back the same way (phi64). Limits as float32:
    // gelu(x) = -0 below x = -40 (the last nonzero double result is near -38.6), gelu'(x) = 0
    // below -40 (dy * 0) and 1 above 40.
    static Expr normal_cdf64(const Expr &x) {
        using namespace f64;
        const double k_hi = -0x1.6a09e667f3bcdp-1, k_lo = 0x1.bdd3413b26456p-55;  // -1/sqrt2
        const double two_over_sqrt_pi = 0x1.20dd750429b6dp+0;
        Expr h = x * c(k_hi);
        Expr l = f64::fma64(x, c(k_hi), -h) + x * c(k_lo);
        Expr e = f64::lib_erfc(h);
        Expr corr = (l * c(two_over_sqrt_pi)) * f64::lib_exp(-(h * h));
        return Halide::select(Halide::is_finite(l), e - corr, e) * c(0.5);
    }
    // x < -30: from the Mills ratio, Phi(x) = phi(x) A(1/x^2) / -x with the asymptotic series
    // A(u) = 1 - u + 3u^2 - 15u^3 + ... ((2k-1)!! (-u)^k; at x = -30 the 10th term is 2e-21):
    //   gelu(x) = -phi(x) A,   gelu'(x) = Phi(x) + x phi(x) = phi(x) (x - A / x)
    // (no cancellation: |A / x| < |x| / 900), with phi(x) = e^(-x^2/2 - ln sqrt(2 pi)): the square
    // exact, the constant folded into the exponential (f64::exp_tail's shift), the tail scaled.
    // erfc itself is subnormal below x = -37.5 and would lose the result's bits.
    static constexpr double kTail64 = -30.0;
    static f64::TailExp phi64(const Expr &x) {
        using namespace f64;
        const double ln_sqrt_2pi_hi = 0x1.d67f1c864beb5p-1, ln_sqrt_2pi_lo = -0x1.65b5a1b7ff5dfp-55;
        Product s = product(x, x);
        return exp_tail({s.p * c(-0.5), s.err * c(-0.5)}, -ln_sqrt_2pi_hi, -ln_sqrt_2pi_lo);
    }
    static Expr mills64(const Expr &x) {
        using namespace f64;
        const double coef[] = {1, -1, 3, -15, 105, -945, 10395, -135135, 2027025, -34459425};
        Expr u = c(1.0) / (x * x);
        Expr a = c(coef[9]);
        for (int i = 8; i >= 0; --i) a = f64::fma64(a, u, c(coef[i]));
        return a;
    }
    static Expr forward64(const Expr &x, const Params &) {
        using namespace f64;
        TailExp phi = phi64(x);
        Expr tail = -(phi.es * mills64(x)) * phi.unscale;
        Expr y = Halide::select(x < c(-40.0), c(-0.0), x < c(kTail64), tail, x * normal_cdf64(x));
        return keep_nan(x, strict(y));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &) {
        using namespace f64;
        TailExp phi = phi64(x);
        Expr tail = (dy * (phi.es * (x - mills64(x) / x))) * phi.unscale;
        Expr d = normal_cdf64(x) + x * phi.e;
        Expr dx = Halide::select(x < c(-40.0), dy * c(0.0), x < c(kTail64), tail, x > c(40.0), dy, dy * d);
        return keep_nan(x, strict(dx));
    }
};

}  // namespace hact::ops
