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
//   deep: from t = -40 down (n <= -58) the power of two is 2^(n + 58) <= 1, built in the exponent
//   field (no rounding), and `scaled` is true: the value is 2^n (1 + u) 2^-58. A caller multiplies
//   its final result by 2^-58 there (strictly, one rounding), so results that are subnormal
//   float32 values (gelu(-14), mish(-100)) are rounded once; 2^n <= 1 either way, so dy 2^n cannot
//   overflow. Without deep, t_hi must be >= -87.
//   kExpNegMin = -120: e^-120 = 7.7e-53, below any float32 result times the factors callers apply.
constexpr float kExpNegMin = -120.0f;
constexpr int kDeepShift = 58;
inline float deep_unscale() { return std::ldexp(1.0f, -kDeepShift); }

struct NegExp {
    Expr two_n;   // 2^n, or 2^(n + 58) where scaled
    Expr u;       // e^r - 1
    Expr scaled;  // bool (deep only; else const false)
    Expr k;       // n + kMagic, exactly (for conditions on n)
    static constexpr float kMagic = 0x1.8p23f + 127.0f;
    // n >= m
    Expr n_at_least(int m) const { return k > f32(kMagic + float(m) - 0.5f); }
    // 2^n (1 + u), one rounding (2^n u is exact)
    Expr value() const { return fma(two_n, u, two_n); }
    // e^t - 1 = 2^n (1 + u) - 1, one rounding: as an FMA while 2^n - 1 is exact (n >= -24; n = 0
    // gives u itself, relative-accurate near t = 0), else value() - 1 (e^t < 2^-24 there)
    Expr expm1() const {
        return deep_or(Halide::select(n_at_least(-24), fma(two_n, u, two_n - f32(1.0f)), value() - f32(1.0f)),
                       f32(-1.0f));
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

inline NegExp exp_neg(const Expr &t_hi, const Expr &t_lo, bool deep) {
    using Halide::select;
    const float magic = 0x1.8p23f + 127.0f;
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
    if (deep) {
        out.scaled = k < f32(magic - 57.5f);  // n <= -58
        field = field + select(out.scaled, Halide::Expr(unsigned(kDeepShift)), Halide::Expr(0u));
    } else {
        out.scaled = Halide::Internal::const_false();
    }
    out.two_n = num::from_bits(field << 23);
    return out;
}

// 1/(d + d_lo) = r + r_lo: r rounded once, r_lo from the division's exact residual 1 - r d.
inline DoubleFloat reciprocal(const DoubleFloat &d) {
    Expr r = strict_apply({d.hi}, [](auto v) { return f32(1.0f) / v[0]; });
    return {r, r * fma(-r, d.lo, residual(r, d.hi, f32(1.0f)))};
}

// v * 2^-58 where scaled (and `also`, if given), strictly (the one rounding of a subnormal
// result), else v.
inline Expr unscale(const NegExp &e, const Expr &v, const Expr &also = Expr()) {
    if (Halide::Internal::is_const_zero(e.scaled)) return v;
    Expr small = strict_apply({v}, [](auto a) { return a[0] * f32(deep_unscale()); });
    return Halide::select(also.defined() ? (e.scaled && also) : e.scaled, small, v);
}

// ---- the normal tail Phi(-a) = erfc(a/sqrt2)/2 -------------------------------------------------
// For a >= 0 (clamped at kNormalTailMax = 15.4, where e^(-a^2/2) reaches e^-118.6 and
// a phi(a) < 2^-167):
//   Phi(-a) = e^(-a^2/2) m(a),   G(a) = a m(a)   (G rises from 0 to 1/sqrt(2 pi))
//   m(a) = 4 r f(q),  G(a) = 4 v f(q),  r = 1/(a + 4),  v = a r,  q = (a - 4) r = 1 - 8r,
// where f(q) = (1 + a/4) m(a) is smooth and slowly varying on q in [-1, 0.59]: a minimax
// polynomial of degree 10 (0.024 ULP; its terms all have one sign at q = -1, and q is well
// conditioned elsewhere). m and G are sensitive to the rounding of r where a is small next to 4,
// so r is carried as r + r_lo (the exact sum a + 4 and the division's residual), and v and q
// are formed from both parts. The exponential takes the exact square of a (two_prod): e^(-a^2/2)
// is relative-accurate down to the deep range (a > 9: 2^-58-scaled).
constexpr float kNormalTailMax = 15.4f;
struct NormalTail {
    Expr a;          // clamped
    Expr r, r_lo, v, f;
    NegExp e;        // e^(-a^2/2)
    // m(a) = 4 (r + r_lo) f, one rounding
    Expr m() const { return fma(r, f, r_lo * f) * f32(4.0f); }
};
inline NormalTail normal_tail(const Expr &abs_x) {
    NormalTail t;
    t.a = Halide::min(abs_x, f32(kNormalTailMax));
    Expr d = t.a + f32(4.0f);
    Expr q;
    if (num::narrow_result()) {
        // r's rounding, 2^-24, is far below what a narrow result needs.
        t.r = f32(1.0f) / d;
        t.r_lo = f32(0.0f);
        t.v = t.a * t.r;
        q = fma(t.r, f32(-8.0f), f32(1.0f));
    } else {
        // a + 4 = d + d_lo exactly (Fast2Sum on the larger and the smaller)
        Expr big = Halide::max(t.a, f32(4.0f)), small = Halide::min(t.a, f32(4.0f));
        Expr d_lo = strict_apply({d, big, small}, [](auto v) { return v[2] - (v[0] - v[1]); });
        DoubleFloat r = reciprocal({d, d_lo});
        t.r = r.hi;
        t.r_lo = r.lo;
        t.v = fma(t.a, t.r, t.a * t.r_lo);
        q = fma(t.r_lo, f32(-8.0f), fma(t.r, f32(-8.0f), f32(1.0f)));
    }
    static const float c[] = {0x1.82b4bcp-3f,   -0x1.373e3ap-3f,  0x1.8c6db8p-4f,  -0x1.7dff0ap-5f,
                              0x1.eec8f0p-7f,   -0x1.ee4a88p-10f, -0x1.c9d7a8p-11f, 0x1.ac4e6cp-12f,
                              0x1.69f51cp-15f,  -0x1.c662cap-15f, -0x1.6fcc60p-17f};
    Expr f = f32(c[10]);
    for (int k = 9; k >= 0; --k) f = fma(f, q, f32(c[k]));
    t.f = f;
    if (num::narrow_result()) {
        // a^2 rounded: 2^-24 a^2 / 2 <= 7e-6 relative in e^(-a^2/2), enough for a narrow result
        t.e = exp_neg((t.a * t.a) * f32(-0.5f), Expr(), true);
    } else {
        DoubleFloat sq = two_prod(t.a, t.a);
        t.e = exp_neg(sq.hi * f32(-0.5f), sq.lo * f32(-0.5f), true);
    }
    return t;
}

// e^t (x y) with one rounding: x y = p + p_lo exactly, then 2^n (p + (p u + p_lo)).
inline Expr exp_times_product(const NegExp &e, const Expr &x, const Expr &y) {
    DoubleFloat p = two_prod(x * e.two_n, y);
    return strict_apply({p.hi, fma(p.hi, e.u, p.lo)}, [](auto v) { return v[0] + v[1]; });
}

}  // namespace hact::sf
