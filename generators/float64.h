// Building blocks for the float64 kernels (HACT_F64): the ops' formulas in double, written with
// the C library's correctly-rounded-or-nearly elementary functions and exact-product corrections.
//
// Why a second formula per op rather than the float32 one widened: the float32 math
// (numerics.h, special_functions.h) is bit-level code tuned to float32 (magic-number range
// reductions, 2^-96 scalings, minimax fits to 2^-24). In double the same structure would need
// every constant and polynomial refitted. Instead each op's forward64/backward64 (in its own
// header, next to the float32 math) composes these:
//   - lib_exp, lib_expm1, lib_log1p, lib_erfc, lib_tanh: the C library's (glibc: within 1 ULP),
//     called per lane; on CUDA, libdevice's (__nv_exp, ...: Halide links libdevice into every
//     PTX module; CUDA's documented bounds are 1 ULP, erfc 4);
//   - exp_product(c, x) = e^(c x) with the rounding error of c x put back (fma), so that
//     e^(c x) stays relative-accurate where |c x| is large (rounding c x first would cost
//     |c x| 2^-53 of relative error: 700 ULP at c x = -700);
//   - the logistic pair (sigma(z), 1 - sigma(z)) without cancellation, from e^-|z|;
//   - exp_tail: where e^t nears DBL_MIN, results built from it are computed scaled by 2^512 and
//     unscaled once at the end, so that gradual underflow costs them nothing but their last
//     rounding.
// Everything is evaluated strictly (IEEE semantics, no fast-math): the kernels are about
// accuracy and the same special values as float32 (tests/test_float64.cpp compares them), not
// speed (docs/accuracy.md has the bounds, docs/design.md the choice).
#pragma once

#include <string>
#include <vector>

#include "Halide.h"
#include "numerics.h"

namespace hact::f64 {

using Halide::Expr;
using num::keep_nan;  // NaN in x gives NaN out (is_nan is strict whatever the flags)

inline Expr c(double v) { return Expr(v); }

// A C library function of one double, called per lane (Halide scalarizes extern calls); on a GPU
// libdevice's function of the same name (__nv_<name>), which Halide links into the PTX module.
inline Expr libm(const std::string &name, const Expr &x) {
    return Halide::Internal::Call::make(Halide::Float(64), num::target_is_gpu() ? "__nv_" + name : name, {x},
                                        Halide::Internal::Call::PureExtern);
}
inline Expr lib_exp(const Expr &x) { return libm("exp", x); }
inline Expr lib_expm1(const Expr &x) { return libm("expm1", x); }
inline Expr lib_log1p(const Expr &x) { return libm("log1p", x); }
inline Expr lib_erfc(const Expr &x) { return libm("erfc", x); }
inline Expr lib_tanh(const Expr &x) { return libm("tanh", x); }

// a b + c rounded once (llvm.fma: the instruction where the target has it, the C library's fma
// otherwise: correct either way).
inline Expr fma64(const Expr &a, const Expr &b, const Expr &cc) {
    return Halide::Internal::Call::make(Halide::Float(64), "llvm.fma.f64", {a, b, cc},
                                        Halide::Internal::Call::PureExtern);
}

// a b = p + err exactly (err = fma(a, b, -p)); err is replaced by 0 where it is not finite
// (an infinite or overflowing product: its exponential is 0 or inf anyway).
struct Product {
    Expr p, err;
};
inline Product product(const Expr &a, const Expr &b) {
    Expr p = a * b;
    Expr err = fma64(a, b, -p);
    return {p, Halide::select(Halide::is_finite(err), err, c(0.0))};
}

// e^(p + err) = e^p (1 + err) for |err| <= ulp(p)/2: one more FMA.
inline Expr exp_corrected(const Product &t) {
    Expr e = lib_exp(t.p);
    return fma64(e, t.err, e);
}
// e^(a b), the product's rounding error put back.
inline Expr exp_product(const Expr &a, const Expr &b) { return exp_corrected(product(a, b)); }

// hi + lo = a + b exactly (Knuth's 2Sum: no assumption on the magnitudes).
inline Product two_sum(const Expr &a, const Expr &b) {
    Expr s = a + b;
    Expr bb = s - a;
    return {s, (a - (s - bb)) + (b - bb)};
}

// e^t for an exact sum t = p + err <= 0, with its tail kept. Below t = -600, e^t is within
// e^-108 of DBL_MIN or under it: a result built from it (x e^t, dy e^t / (1 + e^t)^2, ...) would
// lose the bits e^t lost to gradual underflow (hundreds of ULPs at t = -714). There the value is
// computed as es = e^(t + 512 ln 2) = e^t 2^512 (no larger than e^-245: any dy times it stays
// finite), and the caller multiplies its finished result by `unscale` = 2^-512, one rounding.
// Elsewhere es = e^t and unscale = 1. `e` is e^t itself (for sums like 1 + e^t).
// `shift` (a double-double, default 0) is added to t exactly: a constant factor e^shift folded
// into the exponential instead of a rounded multiplication.
struct TailExp {
    Expr e, es, unscale;
    Expr e0, lo;  // es = e0 (1 + lo) before its rounding: a quotient of it can fold lo in
};
inline TailExp exp_tail(const Product &t, double shift_hi = 0.0, double shift_lo = 0.0) {
    const double k512ln2_hi = 0x1.62e42fefa39efp+8, k512ln2_lo = 0x1.abc9e3b39803fp-47;
    Expr tail = t.p < c(-600.0);
    Product a = two_sum(t.p, c(shift_hi));
    Product b = two_sum(a.p, Halide::select(tail, c(k512ln2_hi), c(0.0)));
    Expr lo = b.err + a.err + t.err + (Halide::select(tail, c(k512ln2_lo), c(0.0)) + c(shift_lo));
    lo = Halide::select(Halide::is_finite(lo), lo, c(0.0));  // t = -inf: e^t = 0 as it is
    Expr e0 = lib_exp(b.p);
    Expr es = fma64(e0, lo, e0);
    Expr unscale = Halide::select(tail, c(0x1p-512), c(1.0));
    return {es * unscale, es, unscale, e0, lo};
}

// d = 1 + e (e in [0, 1]) and its rounding error, exact (Fast2Sum): divisions by d get it back
// to first order (n / (d + d_lo) = (n / d) (1 - d_lo / d)).
struct OnePlus {
    Expr d, lo;
};
inline OnePlus one_plus(const Expr &e) {
    Expr d = c(1.0) + e;
    return {d, e - (d - c(1.0))};
}
// n (1 + rel) / (1 + e) with 1 + e's rounding put back (rel: a relative correction of n, e.g.
// TailExp::lo): a division and an FMA. Zero and infinite quotients stay as they are (the FMA
// would turn -0 into +0 and inf into NaN).
inline Expr div_one_plus(const Expr &n, const OnePlus &d, const Expr &rel = c(0.0)) {
    Expr q = n / d.d;
    return Halide::select(Halide::is_finite(q) && q != c(0.0), fma64(q, rel - d.lo / d.d, q), q);
}

// sigma(z) and 1 - sigma(z) for z = beta x, each without cancellation: with E = e^-|z| (from the
// exact product), sigma = 1/(1 + E) and 1 - sigma = E/(1 + E) for z >= 0, swapped for z < 0.
// The small one of the pair is also given scaled as exp_tail scales (small_s, unscale: small =
// small_s unscale), for results that are products of it: they are finished and then unscaled.
struct Logistic {
    Expr sigma, q, z, z_err;  // sigma(z), 1 - sigma(z), z rounded and its rounding error
    // sigma_s = sig_num (1 + sig_rel) / d before rounding (q_s likewise), for Chain products
    Expr sig_num, sig_rel, q_num, q_rel, d;
    Expr sigma_s, q_s;      // sigma, 1 - sigma: the small one scaled (small_s), the other as is
    Expr sigma_un, q_un;    // what multiplies sigma_s, q_s back (unscale for the small one, else 1)
};
inline Logistic logistic(const Expr &beta, const Expr &x) {
    Product z = product(beta, x);
    Expr nonneg = z.p >= c(0.0);
    // -|z| = -|beta x| as the product of -+beta and x, exactly corrected
    TailExp E = exp_tail({Halide::select(nonneg, -z.p, z.p), Halide::select(nonneg, -z.err, z.err)});
    OnePlus d = one_plus(E.e);
    Expr big = div_one_plus(c(1.0), d);
    Expr small_s = div_one_plus(E.e0, d, E.lo);  // e0 (1 + lo) / d: one rounding fewer than es / d
    Expr small = small_s * E.unscale;
    Expr big_rel = -(d.lo / d.d), small_rel = E.lo - d.lo / d.d;
    return {Halide::select(nonneg, big, small), Halide::select(nonneg, small, big), z.p, z.err,
            Halide::select(nonneg, c(1.0), E.e0), Halide::select(nonneg, big_rel, small_rel),
            Halide::select(nonneg, E.e0, c(1.0)), Halide::select(nonneg, small_rel, big_rel), d.d,
            Halide::select(nonneg, big, small_s), Halide::select(nonneg, small_s, big),
            Halide::select(nonneg, c(1.0), E.unscale), Halide::select(nonneg, E.unscale, c(1.0))};
}

// A product (and quotient) chain whose roundings are collected as one relative error, to first
// order, and applied by one FMA at the end (finish): n factors cost one rounding instead of n.
// Each step's error is exact (fma(a, b, -p); a quotient's remainder fma(-q, d, n)); where a value
// is 0, infinite or NaN the step adds nothing (its result is then exact or special anyway).
struct Chain {
    Expr v, rel;
};
inline Expr finite_or_zero(const Expr &e) { return Halide::select(Halide::is_finite(e), e, c(0.0)); }
inline Chain chain(const Expr &v, const Expr &rel = c(0.0)) { return {v, rel}; }
inline Chain operator*(const Chain &a, const Expr &b) {
    Expr p = a.v * b;
    return {p, a.rel + finite_or_zero(fma64(a.v, b, -p) / p)};
}
inline Chain operator/(const Chain &a, const Expr &b) {
    Expr q = a.v / b;
    return {q, a.rel + finite_or_zero(fma64(-q, b, a.v) / a.v)};
}
inline Chain with_rel(const Chain &a, const Expr &rel) { return {a.v, a.rel + rel}; }
inline Expr finish(const Chain &a) {
    return Halide::select(Halide::is_finite(a.v) && a.v != c(0.0), fma64(a.v, finite_or_zero(a.rel), a.v), a.v);
}

// dy e^t / (1 + e^t)^2 for t <= 0: dy sigma'(z) at t = -|z| (sigmoid', and tanh' as 4 sigma'(2x)).
// The tail scaled (exp_tail); 1 + e^t's rounding and its square's put back to first order.
inline Expr logistic_slope(const Expr &dy, const Product &t) {
    TailExp E = exp_tail(t);
    OnePlus d = one_plus(E.e);
    Expr dd = d.d * d.d;
    Expr dd_lo = fma64(d.d, d.d, -dd);
    Expr q = (dy * E.e0) / dd;
    Expr corr = E.lo - (dd_lo / dd + c(2.0) * (d.lo / d.d));
    return Halide::select(Halide::is_finite(q) && q != c(0.0), fma64(q, corr, q), q) * E.unscale;
}

// f(args) with IEEE semantics throughout (Halide's strict_float), for the float64 formulas.
inline Expr strict(const Expr &e) { return Halide::strict_float(e); }

}  // namespace hact::f64
