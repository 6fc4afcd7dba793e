// sigmoid(x) = sigma(x) = 1 / (1 + e^-x); sigmoid'(x) = sigma(x) (1 - sigma(x)).
//
// The exponential is num::scaled_exp_product (E = sc e^t = 2^n (1 + u), sc = 2^-96 above t = 40,
// flush above t = 110). The forward is num::logistic_of_product's float32 quotient sc / d
// (2.3 ULP). The backward is evaluated in float64, strictly, from the exact parts 2^n and u, so
// that the only float32-sized errors are those of u and r inside the exponential (~0.5 ULP) and
// the final rounding: its float32 form (d, sc / d, e / d and the products, each rounded)
// measured 4.7 ULP for dy sigma', over the spec's bound.
#pragma once

namespace hact::ops {

struct sigmoid : OpBase {
    // sc + E in float64 (1 + u and the product by 2^n are exact there, the sum rounds at 2^-53).
    static Expr denominator(const num::ScaledExp &s) {
        using namespace num;
        return strict_apply({Halide::cast<double>(s.sc), Halide::cast<double>(s.two_n),
                             Halide::cast<double>(s.u)},
                            [](auto v) { return v[0] + v[1] * (Expr(1.0) + v[2]); });
    }

    // sc / d, d = sc + E for E = sc e^-x, in float32 (num::logistic_of_product, as swish):
    // d rounds once (FMA) and the quotient once, 2.3 ULP measured, within the spec's 4. For
    // x < -40 (sc = 2^-96) the quotient rounds once into the subnormal tail (sigmoid(-100) =
    // 3.7e-44). Below -110 the flush gives 0 (sigmoid(-inf) = 0); above 87 x is clamped inside
    // the exponential, E = e^-87 and the quotient rounds to 1 (sigmoid(+inf) = 1). The float64
    // form (0.5 ULP) ran at 0.45-0.75x oneDNN's speed: a float64 division has half the lanes.
    static Expr forward(const Expr &x, const Params &) {
        using namespace num;
        Logistic l = logistic_of_product(f32(1.0f), x);
        Expr y = strict_apply({l.sc, l.d}, [](auto v) { return v[0] / v[1]; });
        return keep_nan(x, Halide::select(l.flush, f32(0.0f), y));
    }
    // sigma'(x) = sigma(x) sigma(-x) is even in x: with E = sc e^|x| and D = sc + E,
    //   sigma(-|x|) = sc / D,  sigma(|x|) = E / D,  dy sigma' = dy (sc E) / D^2,
    // no cancellation, rounded once to float32 (|x| > 87: sigmoid'(100) = 3.7e-44 is subnormal).
    // Evaluating at x itself would not do for x > 87, where the exponential of -x clamps its
    // argument. D^2 < 6e37 (E < 7.5e18). Beyond |x| = 110 (and at +-inf) the flush gives dy*0
    // (NaN for a NaN dy).
    static Expr backward(const Expr &x, const Expr &dy, const Params &) {
        using namespace num;
        ScaledExpProduct s = scaled_exp_product(f32(1.0f), Halide::abs(x));
        Expr e = strict_apply({Halide::cast<double>(s.two_n), Halide::cast<double>(s.u)},
                              [](auto v) { return v[0] * (Expr(1.0) + v[1]); });
        Expr dx = strict_apply({Halide::cast<double>(dy), Halide::cast<double>(s.sc), e, denominator(s)},
                               [](auto v) { return (v[0] * (v[1] * v[2])) / (v[3] * v[3]); });
        return keep_nan(x, Halide::select(s.flush, times_zero(dy), Halide::cast<float>(dx)));
    }
};

}  // namespace hact::ops
