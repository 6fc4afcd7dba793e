// Building blocks for accurate, vectorizable activation math in float32 Halide expressions.
//
// Halide compiles with fast-math flags (reassociation, contraction, no-NaN/no-Inf assumptions).
// The few steps whose exact rounding matters are written so that those flags cannot change them:
// bit manipulation in integers, and strict_float on the two-term range reduction only.
// Special values are then imposed at the end (with_specials), because is_nan/is_inf are evaluated
// strictly by Halide whatever the flags.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

#include "Halide.h"

namespace hact::num {

using Halide::Expr;

inline Expr f32(float v) { return Halide::Expr(v); }
// Bit manipulation in uint32, where Halide defines wrap-around.
inline Expr bits(const Expr &x) { return Halide::reinterpret(Halide::UInt(32), x); }
inline Expr from_bits(const Expr &b) { return Halide::reinterpret(Halide::Float(32), b); }

// f(args...) evaluated with IEEE semantics (no reassociation, no contraction), while the
// arguments themselves are computed with the usual fast-math flags. For the last one or two
// operations of a formula, where the order of rounding decides the result: e.g. (x sc) / d must
// not become x (sc / d), which underflows. The arguments are bound with Lets, so strict_float
// does not reach into the code that computes them (a polynomial keeps its FMAs).
template <typename F>
Expr strict_apply(const std::vector<Expr> &args, F f) {
    std::vector<Expr> vars;
    for (const Expr &a : args) {
        vars.push_back(Halide::Internal::Variable::make(a.type(), Halide::Internal::unique_name('s')));
    }
    Expr body = Halide::strict_float(f(vars));
    for (size_t k = args.size(); k-- > 0;) {
        body = Halide::Internal::Let::make(vars[k].template as<Halide::Internal::Variable>()->name,
                                           args[k], body);
    }
    return body;
}

// e^t, scaled to stay finite:  e^t = e / sc.
//   t <= kScaleAbove:  sc = 1,      e = e^t            (e <= 2.4e17)
//   t >  kScaleAbove:  sc = 2^-96,  e = 2^-96 e^t      (the exponent is lowered in the integer
//             domain, so this adds no rounding; a caller that also scales its numerator by sc
//             keeps one final rounding for results that are subnormal, e.g. silu(-100) = -3.7e-42)
//   t >  kExpMax:      flush is true: every activation built on e^-z has rounded to 0 there
//             (silu(-110) = -1.9e-46). e and sc are then meaningless; callers select 0.
// t is clamped below at kExpMin: e^t has no normal float32 value below it, and 1 + e^t == 1.
// Keeping e below 1e19 keeps e*e and d*d finite, whatever fast-math reassociation does.
// Accuracy: range reduction t = n ln2 + r with |r| <= ln2/2 (Cody-Waite, two constants; kLn2Hi has
// 14 significant bits, so n kLn2Hi is exact and FMA or not gives the same r), then a degree-6
// polynomial for e^r with its first three coefficients exact (1, 1, 1/2): the fit's relative
// error is 0.07 ULP, the float32 evaluation adds about 1 ULP.
struct ScaledExp {
    Expr e, sc, flush;
};
constexpr float kExpMin = -87.0f;      // e^-87 = 1.6e-38, above FLT_MIN
constexpr float kExpMax = 110.0f;      // 2^-96 e^110 = 7.5e18
constexpr float kScaleAbove = 40.0f;   // e^40 = 2.4e17; 2^-96 e^40 = 3e-12 >> 2^-96
constexpr int kScaleShift = 96;

inline ScaledExp scaled_exp(const Expr &t_in) {
    using Halide::select;
    Expr t = Halide::max(t_in, f32(kExpMin));
    // k = t/ln2 + (1.5*2^23 + 127): the addition rounds t/ln2 to the nearest integer n and
    // leaves 2^22 + 127 + n in k's mantissa bits; shifted left by 23 (mod 2^32) that is the
    // biased exponent field of 2^n.
    const float magic = 0x1.8p23f + 127.0f;
    Expr k = t * f32(1.44269504088896341f) + f32(magic);
    // Exactly n; strict, or LLVM folds it to t/ln2. k is bound once (strict_apply), so the value
    // whose bits give 2^n is the very value n is taken from (a strict recomputation of k without
    // FMA could round to the other integer: a factor-2 error).
    Expr nf = strict_apply({k}, [&](auto v) { return v[0] - f32(magic); });
    const float kLn2Hi = 0x1.62e400p-1f, kLn2Lo = 0x1.7f7d1cp-20f;
    // t - n kLn2Hi is exact with or without FMA; the second step is strict, or reassociation
    // folds it into t - n (kLn2Hi + kLn2Lo) and loses the low bits (up to 68 ULP measured).
    Expr r_hi = t - nf * f32(kLn2Hi);
    Expr r = strict_apply({r_hi, nf}, [&](auto v) { return v[0] - v[1] * f32(kLn2Lo); });
    // e^r ~ 1 + r + r^2/2 + r^3 (c3 + r (c4 + r (c5 + r c6))): minimax fit of the relative error
    // on |r| <= ln2/2 with the first three coefficients fixed.
    Expr q = f32(0x1.6b6e4cp-10f);
    q = q * r + f32(0x1.122f7ap-7f);
    q = q * r + f32(0x1.555688p-5f);
    q = q * r + f32(0x1.5554a4p-3f);
    Expr r2 = r * r;
    Expr p = (r2 * r) * q + (r2 * f32(0.5f) + r) + f32(1.0f);
    Expr big = t > f32(kScaleAbove);
    Expr exp_field = (bits(k) << 23) -
                     select(big, Halide::Expr(unsigned(kScaleShift) << 23), Halide::Expr(0u));
    return {from_bits(exp_field) * p, select(big, f32(std::ldexp(1.0f, -kScaleShift)), f32(1.0f)),
            t_in > f32(kExpMax)};
}

// The logistic family around z = beta x: with E = e^-z (scaled as above),
//   sigma(z)     = sc / d,        d = sc + sc E
//   1 - sigma(z) = q = e / d      (no cancellation for z >> 0)
//   flush: z < -kExpMax, where sigma(z) < 1.7e-48
struct Logistic {
    Expr e, sc, d, q, flush;
};
inline Logistic logistic(const Expr &z) {
    ScaledExp s = scaled_exp(-z);
    Expr d = s.sc + s.e;
    return {s.e, s.sc, d, s.e / d, s.flush};
}

// NaN in x gives NaN out, whatever the fast-math formula made of it (is_nan is evaluated strictly).
inline Expr keep_nan(const Expr &x, const Expr &y) { return Halide::select(Halide::is_nan(x), x, y); }

// beta * x for a runtime beta that may be 0: x is clamped to finite values first, so that
// 0 * inf gives 0 (the limit of swish with beta = 0 is s x / 2) rather than NaN. A constant,
// non-zero beta (silu, quick_gelu) needs no clamp.
inline Expr scaled_arg(const Expr &beta, const Expr &x) {
    const float fmax = std::numeric_limits<float>::max();
    if (Halide::Internal::is_const(beta) && !Halide::Internal::is_const_zero(beta)) return beta * x;
    return beta * Halide::clamp(x, f32(-fmax), f32(fmax));
}

}  // namespace hact::num
