// Special functions for float32 activation math in Halide expressions: an exponential of
// non-positive arguments with a low part and a deep (subnormal) tail, the hyperbolic tangent,
// the normal tail Phi(-a) (erfc), and exact products. Built on generators/numerics.h (fused
// multiply-adds, strict steps, bit manipulation) and written under the same rules: every rounding
// that matters is an explicit FMA or a strict step, so that fast-math flags cannot change a result
// and a loop and its vector tail agree bit for bit.
//
// Every function here takes arguments for which the formulas are exact or nearly so (|t_lo| tiny,
// a >= 0, ...); the ops (generators/ops/<op>.h) impose special values (NaN, infinities) around them.
#pragma once

#include <cstdlib>
#include <iostream>

#include "numerics.h"

namespace hact::sf {

using Halide::Expr;
using num::f32;
using num::strict_apply;

// a b + c rounded once, on every target: llvm.fma where the target has FMA (num::fused_mul_add),
// else in float64 (the product of two floats is exact there, the sum rounds at 2^-53, then once
// to float32: a fused multiply-add up to a double rounding of 2^-29 ULP). Baseline x86-64 pays
// a few conversions per call for results that match the FMA targets' accuracy.
inline Expr fma(const Expr &a, const Expr &b, const Expr &c) {
    if (num::target_has_fma()) return num::fused_mul_add(a, b, c);
    return Halide::cast<float>(strict_apply({Halide::cast<double>(a), Halide::cast<double>(b), Halide::cast<double>(c)},
                                            [](auto v) { return v[0] * v[1] + v[2]; }));
}

// ---- exact products ----------------------------------------------------------------------------
// a b = hi + lo exactly (barring underflow): lo = fma(a, b, -hi) with FMA; Dekker's product
// without (baseline x86-64, strict throughout).
struct DoubleFloat {
    Expr hi, lo;
};
inline DoubleFloat two_prod(const Expr &a, const Expr &b) {
    Expr hi = strict_apply({a, b}, [](auto v) { return v[0] * v[1]; });
    if (num::target_has_fma()) return {hi, fma(a, b, -hi)};
    auto [rounded, err] = num::product_minus_exact(a, b, f32(0.0f));
    return {rounded, err};
}

// a + b = hi + lo exactly (Knuth's 2Sum, strict: fast-math would fold it to lo = 0).
inline DoubleFloat two_sum(const Expr &a, const Expr &b) {
    Expr hi = strict_apply({a, b}, [](auto v) { return v[0] + v[1]; });
    Expr lo = strict_apply({a, b, hi}, [](auto v) {
        Expr bb = v[2] - v[0];
        return (v[0] - (v[2] - bb)) + (v[1] - bb);
    });
    return {hi, lo};
}

// c - a b, exactly where the result is small next to c (a residual, c - a b ~ 2^-24 c): one FMA, or
// without FMA the exact product (two_prod) subtracted in two steps (c - p is exact by Sterbenz).
inline Expr residual(const Expr &a, const Expr &b, const Expr &c) {
    if (num::target_has_fma()) return fma(-a, b, c);
    DoubleFloat p = two_prod(a, b);
    return strict_apply({c, p.hi, p.lo}, [](auto v) { return (v[0] - v[1]) - v[2]; });
}

// a^2 + c with one rounding where c is small next to a^2: an FMA, or without FMA the exact square
// (two_prod) with its low part added to c first.
inline Expr square_plus(const Expr &a, const Expr &c) {
    return fma(a, a, c);
}

// ---- e^t for t <= 0 ----------------------------------------------------------------------------
// e^(t_hi + t_lo) = 2^n (1 + u) (times 2^-kDeepShift where `scaled`), for t_hi in [kExpNegMin, 0]
// (callers clamp; |t_lo| <= ulp(t_hi)).
//   n = round(t_hi / ln2) by the magic-number trick (as num::scaled_exp_product), the reduction
//   r + r_lo = (t_hi - n ln2_hi) + (t_lo - n ln2_lo) carried as a double-float (the first step is
//   exact; without t_lo, r is rounded once and r_lo = 0), and
//   u = e^r - 1 = r + (r^2 (1/2 + r (c3 + r (c4 + r (c5 + r c6)))) + r_lo), a minimax fit of e^r
//   on |r| <= ln2/2 (relative error 0.06 ULP) evaluated with explicit FMAs and rounded once at
//   the end (u's error is about 0.3 ULP of 1 + u). u is relative-accurate
//   for small r (u = r for |r| < 2^-13), so 2^n (1 + u) - 1 = fma(2^n, u, 2^n - 1) is an expm1 of
//   the same quality (no cancellation: n = 0 gives u itself).
//   Deep::Select: from t = -40 down (n <= -58) the power of two is 2^(n + 58) <= 1, built in the exponent
//   field (no rounding), and `scaled` is true: the value is 2^n (1 + u) 2^-58. A caller multiplies
//   its final result by 2^-58 there (strictly, one rounding), so results that are subnormal
//   float32 values (gelu(-14), mish(-100)) are rounded once; 2^n <= 1 either way, so dy 2^n cannot
//   overflow. Without deep, t_hi must be >= -87.
//   kExpNegMin = -120: e^-120 = 7.7e-53, below any float32 result times the factors callers apply.
constexpr float kExpNegMin = -120.0f;
constexpr int kDeepShift = 58;
inline float deep_unscale() { return std::ldexp(1.0f, -kDeepShift); }

//   Deep::Always: 2^(n + 58) everywhere (the shift is in the magic constant: no compare, no
//   select), for a caller whose result is a product of the value: it multiplies that result by
//   2^-58 once at the end (unscale; exact where the result is normal, a second rounding, < 1 ULP
//   in all, where it is subnormal). value() is then the scaled value; expm1() and the forms built
//   on 1 + e^t refuse it (a generator error).
enum class Deep { None, Select, Always };

struct NegExp {
    Expr two_n;   // 2^n, or 2^(n + 58) where scaled
    Expr u;       // e^r - 1
    Expr scaled;  // bool (Deep::Select only; else const false)
    Expr k;       // n + kMagic (+ 58 with Deep::Always), exactly (for conditions on n)
    bool always_scaled = false;  // Deep::Always
    static constexpr float kMagic = 0x1.8p23f + 127.0f;
    // A build-time error (as generators/activation_generator.cpp's fail): a form that needs e^t
    // itself asked of a Deep::Always exponential, or one that unscales by 2^-58 itself asked of
    // another.
    void require_scaling(bool always, const char *what) const {
        if (always_scaled == always) return;
        std::cerr << "hact generator: sf::" << what << " needs " << (always ? "a Deep::Always" : "an unscaled")
                  << " exponential\n";
        std::exit(1);
    }
    void require_unscaled(const char *what) const { require_scaling(false, what); }
    // n >= m
    Expr n_at_least(int m) const {
        return k > f32(kMagic + float(m) - 0.5f + (always_scaled ? float(kDeepShift) : 0.0f));
    }
    // 2^n (1 + u), one rounding (2^n u is exact)
    Expr value() const { return fma(two_n, u, two_n); }
    // e^t - 1 = 2^n (1 + u) - 1 as one FMA, fma(2^n, u, 2^n - 1), for every n: rounded once while
    // 2^n - 1 is exact (n >= -24; n = 0 gives u itself, relative-accurate near t = 0); below,
    // e^t < 2^-24, 2^n - 1 rounds to -1 and so does the result, within 2^-24 of the exact one
    // (one ulp there). Rounding once for n < -24 too (value() - 1 there) took a select and two
    // operations more per vector (tanh's forward: 17 float operations per vector instead of 19).
    Expr expm1() const {
        require_unscaled("NegExp::expm1");
        return deep_or(fma(two_n, u, two_n - f32(1.0f)), f32(-1.0f));
    }
    // e^t v, one rounding (2^n v is exact)
    Expr value_times(const Expr &v) const {
        Expr vn = v * two_n;
        return fma(vn, u, vn);
    }
    // 1 + e^t as d + lo exactly (up to lo's own rounding), with no select on n: d rounds
    // 1 + 2^n u + 2^n (2^n + 1 itself where exact), and d - 1, exact, is within a factor 2 of 2^n
    // or a multiple of 2^-23 next to it, so 2^n - (d - 1) is exact and lo = 1 + e^t - d. d alone
    // is 1 + e^t rounded once for n >= -23 (2^n + 1 exact) and within 1 ulp of it below; 0 + 1
    // where scaled (e^t negligible).
    DoubleFloat one_plus_parts() const {
        require_unscaled("NegExp::one_plus_parts");
        Expr p2 = deep_or(two_n, f32(0.0f));
        Expr d = fma(p2, u, p2 + f32(1.0f));
        return {d, fma(p2, u, strict_apply({p2, d}, [](auto v) { return v[0] - (v[1] - f32(1.0f)); }))};
    }
    // (1 + e^t)^2 / 4 with one rounding: 1 + e^t = d + d_lo exactly (one_plus_parts), squared as
    // fma(h, h, h d_lo) with h = d/2. Rounding 1 + e^t and then squaring would double its error
    // (2^-24 relative where e^t is small).
    Expr half_one_plus_squared() const {
        DoubleFloat d = one_plus_parts();
        Expr h = d.hi * f32(0.5f);
        return square_plus(h, h * d.lo);
    }
    // v, or (where scaled) the value v takes once e^t < e^-40 is negligible next to 1
    Expr deep_or(const Expr &v, const Expr &negligible) const {
        return Halide::Internal::is_const_zero(scaled) ? v : Halide::select(scaled, negligible, v);
    }
};

inline NegExp exp_neg(const Expr &t_hi, const Expr &t_lo, Deep deep) {
    using Halide::select;
    const float magic = 0x1.8p23f + 127.0f + (deep == Deep::Always ? float(kDeepShift) : 0.0f);
    const float log2e = 1.44269504088896341f;
    const float kLn2Hi = 0x1.62e400p-1f, kLn2Lo = 0x1.7f7d1cp-20f;
    // k = t/ln2 + 1.5*2^23 + 127: its low mantissa bits hold n + 127 (see num::scaled_exp_product).
    Expr k = fma(t_hi, f32(log2e), f32(magic));
    Expr nf = strict_apply({k}, [&](auto v) { return v[0] - f32(magic); });
    // n ln2_hi is exact (14-bit constant, |n| < 2^8) and so is t_hi - n ln2_hi (Sterbenz); the rest,
    // t_lo - n ln2_lo, is added with its rounding error kept (Fast2Sum: exact while |r_hi| >= |rest|,
    // and where it is not both are below 2.5e-4, where the lost part is below 2^-37).
    NegExp out;
    out.k = k;
    out.always_scaled = deep == Deep::Always;
    Expr r, r_lo = f32(0.0f);
    if (num::narrow_result()) {
        // A narrow result needs 2^-12 at most: one reduction step (t_lo, below 2^-24 |t_hi|,
        // dropped); expm1_poly gives the shorter polynomial.
        r = fma(nf, f32(-num::kLn2F32), t_hi);
    } else {
        Expr r_hi = fma(nf, f32(-kLn2Hi), t_hi);
        if (t_lo.defined()) {
            Expr rest = fma(nf, f32(-kLn2Lo), t_lo);
            r = strict_apply({r_hi, rest}, [](auto v) { return v[0] + v[1]; });
            r_lo = strict_apply({r_hi, rest, r}, [](auto v) { return (v[0] - v[2]) + v[1]; });
        } else {
            // No low part to carry: r rounded once (2^-25 |r|, at most 0.1 ULP of e^r; tanh and
            // mish gain four operations per vector).
            r = fma(nf, f32(-kLn2Lo), r_hi);
        }
    }
    Expr q = num::expm1_poly(r, {0x1.6b6e42p-10f, 0x1.122f88p-7f, 0x1.555688p-5f, 0x1.5554a4p-3f, 0.5f}, fma);
    // u = r + (r^2 q + r_lo): the bracket is small next to u, so u rounds once
    out.u = Halide::Internal::is_const_zero(r_lo)
                ? fma(r * r, q, r)
                : strict_apply({r, fma(r * r, q, r_lo)}, [](auto v) { return v[0] + v[1]; });
    Expr field = num::bits(k);
    if (deep == Deep::Select) {
        out.scaled = k < f32(magic - 57.5f);  // n <= -58
        field = field + select(out.scaled, Halide::Expr(unsigned(kDeepShift)), Halide::Expr(0u));
    } else {
        out.scaled = Halide::Internal::const_false();
    }
    out.two_n = num::from_bits(field << 23);
    return out;
}

// 1/(d + d_lo) = r + r_lo: r rounded once, r_lo from the division's exact residual 1 - r d.
// A d.lo that is the constant 0 (d a float) adds no operation.
inline DoubleFloat reciprocal(const DoubleFloat &d) {
    Expr r = strict_apply({d.hi}, [](auto v) { return f32(1.0f) / v[0]; });
    Expr rest = residual(r, d.hi, f32(1.0f));
    return {r, r * (Halide::Internal::is_const_zero(d.lo) ? rest : fma(-r, d.lo, rest))};
}

// v * 2^-58 where scaled (and `also`, if given), strictly (the one rounding of a subnormal
// result), else v.
inline Expr unscale(const NegExp &e, const Expr &v, const Expr &also = Expr()) {
    Expr small = strict_apply({v}, [](auto a) { return a[0] * f32(deep_unscale()); });
    if (e.always_scaled) return small;
    if (Halide::Internal::is_const_zero(e.scaled)) return v;
    return Halide::select(also.defined() ? (e.scaled && also) : e.scaled, small, v);
}

// ---- the normal tail Phi(-a) = erfc(a/sqrt2)/2 -------------------------------------------------
// For a >= 0 (clamped at kNormalTailMax = 15.4, where e^(-a^2/2) reaches e^-118.6 and
// a phi(a) < 2^-167), with c = 1/sqrt(2 pi):
//   Phi(-a) = c e^(-a^2/2) / (a + h(a)),   h(a) = 1/R(a) - a,   R the Mills ratio,
// where h falls smoothly from sqrt(2/pi) at 0 to ~1/a. h = Ph/Qh, a rational minimax fit
// (degrees 4 and 5 for float32 results, 0.06 2^-24 relative in a/(a + h) with float32
// coefficients; 2 and 3 for narrow results, 3e-6), fitted against c_hi, c rounded to float32
// (h absorbs c_hi's error: Ph(0) = 2 c_hi exactly; experiments/fit_mills_ratio.py prints both
// sets). Then
//   m(a) = Phi(-a) e^(a^2/2) = c_hi Qh / D,   G(a) = a m(a) = c_hi a Qh / D,   D = a Qh + Ph,
// with one computed Qh in both numerator and D: where a Qh dominates D (large a) Qh's rounding
// errors cancel, and h's error reaches the result damped by h / (a + h). Positive coefficients,
// a >= 0: no cancellation anywhere. (Stop 22 replaced a degree-10 polynomial in q = (a - 4)/(a + 4)
// with 1/(a + 4) carried as a double-float: 23 float operations per vector for m(a), against 11.)
// The exponential takes the exact square of a (two_prod): e^(-a^2/2) is relative-accurate down to
// the deep range.
constexpr float kNormalTailMax = 15.4f;
constexpr float kInvSqrt2PiHi = 0x1.988454p-2f, kInvSqrt2PiLo = -0x1.857936p-27f;  // c = hi + lo
struct NormalTail {
    Expr a;        // clamped
    Expr q1, q;    // Q1 and Qh = 1 + a Q1
    Expr d;        // D = a Qh + Ph
    NegExp e;      // e^(-a^2/2)
    // 1/(a + h) = Qh / D = hi + lo (unnormalized: lo may pass hi where a is large): hi = 1/D rounded,
    // lo = hi a Q1 + (1/D - hi), the division's error from its exact residual. Qh's own rounding
    // (up to 2^-24 of it, just above 1 near a = 0) and the division's are gone; what is left is
    // D's, and a Q1's, damped where a is small.
    DoubleFloat inv_a_plus_h() const {
        DoubleFloat r = reciprocal({d, f32(0.0f)});
        return {r.hi, fma(r.hi, q1 * a, r.lo)};
    }
};
// TailUse::ResultOnly: the caller needs only the tail's relative accuracy (gelu's forward), not
// Qh/D next to a (the backward's cancellation at its root): a bfloat16 result then takes degrees
// 1 and 2 (1.4e-4 relative, 2^-12.8, against bf16's half ulp of 2^-9 at least; 2 operations per
// vector fewer than 2 and 3). float16 keeps 2 and 3: with 1 and 2 its forward measured 0.78 ULP
// (1,936 of 65,536 inputs not correctly rounded) against 0.505 (47).
enum class TailUse { Derivative, ResultOnly };
inline NormalTail normal_tail(const Expr &abs_x, Deep deep, TailUse use = TailUse::Derivative) {
    NormalTail t;
    t.a = Halide::min(abs_x, f32(kNormalTailMax));
    // p1.., q1.. (p0 = 2 c_hi, q0 = 1)
    static const std::vector<float> p32 = {0x1.fdf3a6p-2f, 0x1.4f4638p-3f, 0x1.dea73cp-6f, 0x1.3dc3aap-9f},
                                    q32 = {0x1.145f56p+0f, 0x1.1ed674p-1f, 0x1.5890fcp-3f, 0x1.dee850p-6f,
                                           0x1.3db6fcp-9f},
                                    p16 = {0x1.2119b6p-2f, 0x1.8605d4p-5f},
                                    q16 = {0x1.9e62fap-1f, 0x1.2a13a0p-2f, 0x1.830d80p-5f},
                                    p12 = {0x1.3b2a16p-3f}, q12 = {0x1.4ab6dep-1f, 0x1.56616p-3f};
    const bool narrow = num::narrow_result();
    const bool short_fit = num::result_type() == num::Result::BFloat16 && use == TailUse::ResultOnly;
    auto horner = [&](const std::vector<float> &c) {
        Expr v = f32(c.back());
        for (int k = int(c.size()) - 2; k >= 0; --k) v = fma(v, t.a, f32(c[k]));
        return v;
    };
    t.q1 = horner(short_fit ? q12 : narrow ? q16 : q32);
    t.q = fma(t.q1, t.a, f32(1.0f));
    t.d = fma(t.a, t.q, fma(t.a, horner(short_fit ? p12 : narrow ? p16 : p32), f32(2.0f * kInvSqrt2PiHi)));
    if (narrow) {
        // a^2 rounded: 2^-24 a^2 / 2 <= 7e-6 relative in e^(-a^2/2), enough for a narrow result
        t.e = exp_neg(t.a * (t.a * f32(-0.5f)), Expr(), deep);
    } else {
        DoubleFloat sq = two_prod(t.a, t.a * f32(-0.5f));  // -a^2/2 exactly (a/2 exact but where a < 2^-125)
        t.e = exp_neg(sq.hi, sq.lo, deep);
    }
    return t;
}

// G(a) e^(-a^2/2) = e^t c_hi a Qh / D = N / D, 2^-58-scaled as t.e is, with one rounding in all
// (up to the last bits of N_lo and of 1/D in the correction): N = N_hi + N_lo exactly (a Qh 2^n
// = p + p_lo and c_hi p = s + s_lo exactly, N = 2^n (s + (c_hi (p u + p_lo) + s_lo))); with
// rho = 1/D rounded, W_hi = N_hi rho is within ~2 ulps of N / D, so N_hi - W_hi D is exact (an
// FMA), and N / D = W_hi + (N_hi - W_hi D + N_lo) / D, the correction taken times rho.
inline Expr normal_tail_product(const NormalTail &t) {
    DoubleFloat p = two_prod(t.a * t.e.two_n, t.q);
    DoubleFloat s = two_prod(p.hi, f32(kInvSqrt2PiHi));
    Expr n_lo = fma(f32(kInvSqrt2PiHi), fma(p.hi, t.e.u, p.lo), s.lo);
    Expr rho = strict_apply({t.d}, [](auto v) { return f32(1.0f) / v[0]; });
    Expr w_hi = s.hi * rho;
    return fma(residual(w_hi, t.d, s.hi) + n_lo, rho, w_hi);
}

// W = G(a) e^(-a^2/2) = a Phi(-a), unscaled, from a Deep::Always tail. float32: one rounding
// (normal_tail_product), then 2^-58 (a second rounding only where W is subnormal). A narrow
// result needs 2^-12 relative: each operation rounded, (a Qh e) / D, then c_hi 2^-58 in one
// multiply, the only one that can round into the subnormals (5 roundings, < 2^-21; 8 operations
// fewer per vector than the float32 form).
inline Expr normal_tail_times_a(const NormalTail &t) {
    t.e.require_scaling(true, "normal_tail_times_a");
    if (!num::narrow_result()) return unscale(t.e, normal_tail_product(t));
    Expr g = strict_apply({(t.a * t.q) * t.e.value(), t.d}, [](auto v) { return v[0] / v[1]; });
    return strict_apply({g}, [](auto v) { return v[0] * f32(kInvSqrt2PiHi * deep_unscale()); });
}

}  // namespace hact::sf
