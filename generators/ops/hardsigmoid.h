// hardsigmoid(x) = min(max(a*x + b, 0), 1), a = alpha (1/6), b = beta (1/2) (ONNX: 0.2, 0.5);
// hardsigmoid'(x) = a where 0 < a*x + b < 1, else 0 (0 at both kinks, the spec's convention).
//
// a*x + b in float64: the product of two floats is exact there, so v = a*x + b is rounded once
// (53 bits) and its float32 rounding is the correctly rounded result up to a 2^-29 ULP double
// rounding. The kink tests must be exact, or x = 3 - 2^-22 (a*x + b = 1 - 2.5e-8, which rounds to
// 1 in float32) would get slope 0 instead of a: the sign of a*x + b is exact in float64 (rounding
// keeps the sign, and cannot underflow), and a*x + (b - 1) has the sign of v - 1 whenever b - 1
// is exact in float64 (|b| >= 2^-29 or b = 0; a smaller nonzero b can err only where
// a*x + b - 1 is within 2^-54 of zero).
#pragma once

namespace hact::ops {

struct hardsigmoid : OpBase {
    // a*x in float64, exact; 0 for a = 0 (never 0 * inf = NaN: hardsigmoid(inf) = clamp(b)).
    // Strict, like every step below: the select on a = 0 must not be folded into the product,
    // and v - 1 must not be reassociated.
    static Expr product(const Expr &x, const Params &p) {
        using namespace num;
        return strict_apply({Halide::cast<double>(x), Halide::cast<double>(p.alpha)}, [](auto v) {
            return Halide::select(v[1] == Expr(0.0), Expr(0.0), v[1] * v[0]);
        });
    }

    // With FMA, a*x + b rounds once in float32: the correctly rounded value itself, and clamping
    // it to [0, 1] is the same as rounding the clamped value (rounding is monotonic, 0 and 1 are
    // floats). Twice the lanes of the float64 form, which held the forward at 0.4-0.9x oneDNN's
    // speed. The float64 form stays for targets without FMA.
    static Expr forward(const Expr &x, const Params &p) {
        using namespace num;
        if (target_has_fma()) {
            Expr v = Halide::select(p.alpha == f32(0.0f), p.beta, fused_mul_add(p.alpha, x, p.beta));
            Expr y = strict_apply({v}, [](auto w) {
                return Halide::select(w[0] < f32(0.0f), f32(0.0f), w[0] > f32(1.0f), f32(1.0f), w[0]);
            });
            return keep_nan(x, y);
        }
        Expr y = strict_apply({product(x, p), Halide::cast<double>(p.beta)}, [](auto v) {
            Expr s = v[0] + v[1];
            return Halide::select(s < Expr(0.0), Expr(0.0), s > Expr(1.0), Expr(1.0), s);
        });
        return keep_nan(x, Halide::cast<float>(y));
    }
    // dy*a (one rounding) inside the open interval, dy*0 (strict: NaN stays NaN) outside.
    static Expr backward(const Expr &x, const Expr &dy, const Params &p) {
        using namespace num;
        Expr dx = strict_apply({product(x, p), Halide::cast<double>(p.beta), dy * p.alpha, dy},
                               [](auto v) {
                                   Expr inside = v[0] + v[1] > Expr(0.0) &&
                                                 v[0] + (v[1] - Expr(1.0)) < Expr(0.0);
                                   return Halide::select(inside, v[2], v[3] * f32(0.0f));
                               });
        return keep_nan(x, dx);
    }

    // float64: clamp(fma(a, x, b), 0, 1) (one rounding; b where a = 0); the backward is
    // type-generic (its double product is float64's own).
    static Expr forward64(const Expr &x, const Params &p) {
        using namespace f64;
        Expr v = Halide::select(p.alpha == c(0.0), p.beta, f64::fma64(p.alpha, x, p.beta));
        return keep_nan(x, strict(Halide::select(v < c(0.0), c(0.0), v > c(1.0), c(1.0), v)));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &p) { return backward(x, dy, p); }
};

}  // namespace hact::ops
