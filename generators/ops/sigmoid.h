// sigmoid(x) = sigma(x) = 1 / (1 + e^-x); sigmoid'(x) = sigma(x) (1 - sigma(x)).
//
// The exponential is num::scaled_exp_product (E = sc e^t = 2^n (1 + u), sc = 2^-96 above t = 40,
// flush above t = 110; for float16 results, bounded: flush above t = 40 and no scaling), through
// num::logistic_of_product, in float32. The forward is its quotient
// sc / d (2.3 ULP); the backward is below (2.4 ULP for dy = 1, 2.7 for random dy). (An earlier
// float32 backward, dy (sc E) / D^2 with D^2 rounded, measured 4.7 ULP, over the spec's bound;
// float64 evaluation was accurate but slower than oneDNN.)
#pragma once

namespace hact::ops {

struct sigmoid : OpBase {
    // sc / d, d = sc + E for E = sc e^-x, in float32 (num::logistic_of_product, as swish):
    // d rounds once (FMA) and the quotient once: 2.3 ULP measured, within the spec's 4. For
    // x < -40 (sc = 2^-96) the quotient rounds once into the subnormal tail (sigmoid(-100) =
    // 3.7e-44). Below -110 the flush gives 0 (sigmoid(-inf) = 0); above 87 x is clamped inside
    // the exponential, E = e^-87 and the quotient rounds to 1 (sigmoid(+inf) = 1). The float64
    // form (0.5 ULP) ran at 0.45-0.75x oneDNN's speed: a float64 division has half the lanes.
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        Logistic l = logistic_of_product(f32(1.0f), x, true);
        Expr y = strict_apply({l.sc, l.d}, [](auto v) { return v[0] / v[1]; });
        return keep_nan(x, Halide::select(l.flush, f32(0.0f), y));
    }
    // sigma'(x) = sigma(x) sigma(-x) is even in x: with E = sc e^|x| and D = sc + E (rounded once,
    // as num::logistic_of_product forms it), s = sigma(-|x|) = sc / D and
    //   dy sigma'(x) = (dy / D) (1 - s) sc,
    // in float32: two quotients, 1 - s (no cancellation: s <= 1/2) and a product, each rounded
    // once. The error of D enters dy / D and s with opposite effects on the result, so it counts
    // at most once. Where sc = 2^-96 (|x| > 40) dy is scaled by 2^-48 before the quotient and the
    // result by 2^-48 after it, strictly: dy / D stays finite for any finite dy, and a subnormal
    // result (sigmoid'(100) = 3.7e-44) is rounded once, at the end. Evaluating at x itself would
    // not do for x > 87, where the exponential of -x clamps its argument. Beyond |x| = 110 (and at
    // +-inf) the flush gives dy*0 (NaN for a NaN dy). (The float64 form, also 1 rounding, ran at
    // 0.75x oneDNN's speed.)
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        Logistic l = logistic_of_product(f32(-1.0f), Halide::abs(x), true);
        const float half_scale = std::ldexp(1.0f, -kScaleShift / 2);
        // Narrow results (bf16, f16): one quotient, R = 1/D, and products by it: two more
        // roundings of 2^-24, far below the narrow type's, for one division less per vector.
        const bool narrow = narrow_result();
        Expr dx = strict_apply({dy, l.sc, l.d, l.exp.big}, [half_scale, narrow](auto v) {
            Expr dyq = Halide::select(v[3], v[0] * f32(half_scale), v[0]);
            Expr r;
            if (narrow) {
                Expr R = f32(1.0f) / v[2];
                r = (dyq * R) * (f32(1.0f) - v[1] * R);
            } else {
                r = (dyq / v[2]) * (f32(1.0f) - v[1] / v[2]);
            }
            return Halide::select(v[3], r * f32(half_scale), r);
        });
        return keep_nan(x, Halide::select(l.flush, times_zero(dy), dx));
    }

    // float64: sigma(x) from float64.h's logistic; dy sigma'(x) = (dy E) / (1 + E)^2 with
    // E = e^-|x| (an exact argument; f64::logistic_slope).
    static Expr forward64(const Expr &x, const Params &) {
        return num::keep_nan(x, f64::strict(f64::logistic(f64::c(1.0), x).sigma));
    }
    static Expr backward64(const Expr &x, const Expr &dy, const Params &) {
        return num::keep_nan(x, f64::strict(f64::logistic_slope(dy, {-Halide::abs(x), f64::c(0.0)})));
    }
};

}  // namespace hact::ops
